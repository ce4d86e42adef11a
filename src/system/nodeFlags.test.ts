import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SYSTEM_NODE_FLAGS, withSystemNodeFlags } from './nodeFlags.js';

describe('withSystemNodeFlags', () => {
  it('adds the system flags after what the process already runs with', () => {
    assert.deepEqual(withSystemNodeFlags(['--import', 'tsx']), ['--import', 'tsx', ...SYSTEM_NODE_FLAGS]);
  });

  it('replaces a flag of the same name instead of passing it twice', () => {
    assert.deepEqual(withSystemNodeFlags(['--max-semi-space-size=32', '--enable-source-maps']), [
      '--enable-source-maps',
      ...SYSTEM_NODE_FLAGS,
    ]);
  });
});

describe('npm start', () => {
  it("runs node with the system's flags", () => {
    const manifest = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const start = (JSON.parse(manifest) as { scripts: Record<string, string> }).scripts.start;
    assert.equal(start, ['node', ...SYSTEM_NODE_FLAGS, 'dist/cli/main.js', 'start'].join(' '));
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ONE_CORE_NODE_FLAGS, SYSTEM_NODE_FLAGS, systemNodeFlags, withSystemNodeFlags } from './nodeFlags.js';

describe('withSystemNodeFlags', () => {
  it('adds the system flags after what the process already runs with', () => {
    assert.deepEqual(withSystemNodeFlags(['--import', 'tsx'], 4), ['--import', 'tsx', ...SYSTEM_NODE_FLAGS]);
  });

  it('replaces a flag of the same name instead of passing it twice', () => {
    assert.deepEqual(withSystemNodeFlags(['--max-semi-space-size=32', '--enable-source-maps'], 4), [
      '--enable-source-maps',
      ...SYSTEM_NODE_FLAGS,
    ]);
  });

  it('adds the one-core flags for a process with one core, once', () => {
    assert.deepEqual(withSystemNodeFlags(['--single-threaded-gc', '--enable-source-maps'], 1), [
      '--enable-source-maps',
      ...SYSTEM_NODE_FLAGS,
      ...ONE_CORE_NODE_FLAGS,
    ]);
  });
});

describe('systemNodeFlags', () => {
  it('collects garbage on the main thread only when the process has one core', () => {
    assert.deepEqual(systemNodeFlags(1), [
      ...SYSTEM_NODE_FLAGS,
      '--single-threaded-gc',
      '--no-allocation-site-pretenuring',
    ]);
    for (const cores of [2, 8]) assert.deepEqual(systemNodeFlags(cores), [...SYSTEM_NODE_FLAGS]);
  });

  it('are flags this Node accepts', () => {
    const run = spawnSync(process.execPath, [...systemNodeFlags(1), '-e', 'process.exit(0)'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
  });
});

describe('npm start', () => {
  it("runs node with the system's flags", () => {
    const manifest = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const start = (JSON.parse(manifest) as { scripts: Record<string, string> }).scripts.start;
    assert.equal(start, ['node', ...SYSTEM_NODE_FLAGS, 'dist/cli/main.js', 'start'].join(' '));
  });
});

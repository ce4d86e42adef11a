/**
 * .env.example at the repository root: exactly what scripts/envExample.ts writes from src/config/spec.ts (run
 * `npm run env:example` after changing a setting), so it lists every setting with its default and doc.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ENV_EXAMPLE_FILE, envExampleText } from '../../scripts/envExample.js';
import { SETTINGS } from '../../src/config/index.js';
import { list, loadFrom, readText, record, REPO } from './support.js';

const shipped = readText(ENV_EXAMPLE_FILE);
/** The commented-out assignments, as `docker compose` would read them once uncommented. */
const assignments = [...shipped.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(([, name, value]) => ({
  name: name!,
  value: value!.replace(/^'(.*)'$/, '$1'),
}));

describe('.env.example', () => {
  it('is what `npm run env:example` writes from the settings spec', () => {
    assert.equal(shipped, envExampleText(), 'run `npm run env:example`');
  });

  it('lists every setting once, in the order of the spec, each with its doc above it', () => {
    assert.deepEqual(
      assignments.map((a) => a.name),
      Object.keys(SETTINGS),
    );
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const block = shipped
        .slice(0, shipped.indexOf(`# ${name}=`))
        .split('\n\n')
        .at(-1)!;
      const firstWords = spec.doc.split(/\s+/).slice(0, 3).join(' ');
      assert.ok(block.replace(/\n# /g, ' ').includes(firstWords), `${name}: its doc`);
    }
  });

  it('gives each setting its default, which loadConfig accepts all together', () => {
    for (const { name, value } of assignments) {
      const fallback = (SETTINGS[name as keyof typeof SETTINGS] as { default?: string | number | boolean })
        .default;
      assert.equal(value, fallback === undefined ? '' : String(fallback), name);
    }
    const env = Object.fromEntries(assignments.map(({ name, value }) => [name, value]));
    assert.doesNotThrow(() => loadFrom(env));
  });

  it('is read by the four TPS roles of docker-compose.yml when copied to .env (optional)', () => {
    const compose = record(parse(readText(`${REPO}docker-compose.yml`), { merge: true }), 'compose');
    for (const role of ['api', 'worker-fast', 'worker-slow', 'downstream']) {
      const envFile = list(
        record(record(compose.services, 'services')[role], role).env_file,
        `${role}.env_file`,
      );
      assert.deepEqual(envFile, [{ path: '.env', required: false }], role);
    }
  });
});

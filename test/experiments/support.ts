import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../src/config/index.js';
import {
  findExperiment,
  renderTimelineSvg,
  resolveParams,
  type ExperimentResult,
} from '../../src/experiments/index.js';
import { startEmbeddedSystem } from '../../src/system/embedded.js';

/** Small, fast settings: quick work, quick breakers and leases, silent logs, a free loopback port. */
export const LAB_SETTINGS: Partial<Settings> = {
  port: 0,
  host: '127.0.0.1',
  logLevel: 'silent',
  fastWorkMs: 1,
  slowWorkMs: 5,
  downstreamLatencyMs: 1,
  downstreamHopLatencyMs: 0,
  autoscaleIntervalMs: 100,
  circuitBreakerThreshold: 3,
  circuitBreakerResetMs: 500,
  leaseMs: 500,
  shutdownTimeoutMs: 3000,
};

/** Runs the short form of an experiment against a fresh embedded system; checks the common invariants. */
export async function runShort(
  name: string,
  settings: Partial<Settings> = {},
  overrides: Record<string, number> = {},
): Promise<ExperimentResult> {
  const system = await startEmbeddedSystem({ ...LAB_SETTINGS, ...settings }, { env: {} });
  try {
    return await runShortAt(system.url, name, overrides);
  } finally {
    await system.close();
  }
}

/** Runs the short form of an experiment against a system already running at `url`; checks the common invariants. */
export async function runShortAt(
  url: string,
  name: string,
  overrides: Record<string, number> = {},
): Promise<ExperimentResult> {
  const experiment = findExperiment(name);
  assert.ok(experiment, `experiment ${name} exists`);
  const result = await experiment.run(
    { url, short: true, log: () => {} },
    resolveParams(experiment, true, overrides),
  );
  const a = result.accounting;
  assert.ok(a.accepted > 0, 'some signals were accepted');
  assert.equal(a.missing, 0, 'no accepted id is unknown');
  assert.equal(a.unsettled, 0, 'every accepted id settled');
  assert.equal(a.completed + a.deadLettered + a.expired + a.failed, a.accepted, 'accepted = settled, by id');
  const dir = await mkdtemp(join(tmpdir(), 'tps-exp-'));
  const file = join(dir, `${name}.svg`);
  await writeFile(file, renderTimelineSvg(result));
  const svg = await readFile(file, 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\s*$/);
  return result;
}

export const invariant = (result: ExperimentResult, name: string) => {
  const found = result.invariants.find((i) => i.name === name);
  assert.ok(found, `invariant ${name} checked`);
  assert.ok(found.ok, `${name}: ${found.detail}`);
};

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadReport } from '../../src/loadgen/LoadReport.js';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../src/system/embedded.js';
import { runTps, type TpsRun } from '../support/tpsCli.js';

/** Runs `tps` from the TypeScript sources as a child process (so the embedded system here keeps answering). */
const tps = (args: readonly string[]): Promise<TpsRun> => runTps(args);

const answered = (report: LoadReport): number =>
  report.accepted +
  report.rejected['429'] +
  report.rejected['503'] +
  report.rejected['4xx'] +
  report.rejected['5xx'] +
  report.rejected.errors;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tps-load-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('tps load against an embedded system', () => {
  let system: EmbeddedSystem;
  before(async () => {
    system = await startEmbeddedSystem({ port: 0, host: '127.0.0.1', logLevel: 'silent' }, { env: {} });
  });
  after(() => system.close());

  it('sends the schedule, reports it, and the counts add up', async () => {
    const file = join(dir, 'a.json');
    const run = await tps(['load', '--rate', '50', '--duration', '2', '--json', file, '--url', system.url]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^sent\s+100$/m);
    assert.match(run.stdout, /latency p99/);
    const report = JSON.parse(await readFile(file, 'utf8')) as LoadReport & { mix: string };
    assert.equal(report.sent, 100);
    assert.equal(report.planned, 100);
    assert.equal(answered(report), report.sent);
    assert.equal(report.accepted, 100);
    assert.equal(report.mix, 'fast-heavy');

    const compared = await tps(['load', '--compare', file, file]);
    assert.equal(compared.code, 0, compared.stderr);
    assert.match(compared.stdout, /^\s+latency p99\s+.*±0\.00 ms.*same$/m);
  });

  it('names a bad flag in one line and exits 2; refuses targets off this machine', async () => {
    for (const args of [
      ['load', '--rate', 'fast', '--duration', '2'],
      ['load', '--rate', '10'],
      ['load', '--rate', '10', '--duration', '1', '--mix', 'heavy'],
      ['load', '--ramp', '1:2', '--url', system.url],
      ['load', '--rate', '10', '--duration', '1', '--url', 'http://192.0.2.1:8080'],
      ['stress', '--every', '0'],
      ['spike', '--bogus'],
    ]) {
      const run = await tps(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(
        run.stderr.split('\n')[0]!,
        /^tps (load|stress|spike): (flag --|unknown flag --)/,
        args.join(' '),
      );
    }
  });

  it('says nothing answers at an unreachable URL and exits 1', async () => {
    const run = await tps(['load', '--rate', '10', '--duration', '1', '--url', 'http://127.0.0.1:1']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /nothing answers at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('tps stress against a small, slow system', () => {
  let system: EmbeddedSystem;
  before(async () => {
    system = await startEmbeddedSystem(
      { port: 0, host: '127.0.0.1', logLevel: 'silent' },
      {
        env: {
          MAX_QUEUE_DEPTH: '3',
          WORKER_COUNT: '1',
          POOL_MAX: '1',
          AUTOSCALE: 'false',
          FAST_WORK_MS: '100',
          SLOW_WORK_MS: '100',
        },
      },
    );
  });
  after(() => system.close());

  it('ramps until it breaks, stops, and names the capacity and how it broke', async () => {
    const file = join(dir, 'stress.json');
    const run = await tps([
      ...['stress', '--from', '5', '--step', '40', '--every', '1', '--slo-ms', '5000'],
      ...['--max-rate', '500', '--json', file, '--url', system.url],
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /capacity: 5 req\/s \(the last step that held\); broke at 45 req\/s/);
    assert.match(run.stdout, /how it broke: gracefully/);
    assert.match(run.stdout, /fast: 1 workers \(pool max\) \/ \d+\.\d ms mean processing/);
    const result = JSON.parse(await readFile(file, 'utf8')) as {
      capacity: number;
      steps: unknown[];
      breakKind: string;
    };
    assert.equal(result.capacity, 5);
    assert.equal(result.steps.length, 2);
    assert.equal(result.breakKind, 'graceful');
  });
});

/**
 * The README's "A 60-second tour", line by line, against an embedded system with the default settings (only the
 * port is free and the logs are quiet), as a learner runs it after `npm start`: each command beside the claim
 * its comment makes. `tps` runs as `npx tps` does, `node bin/tps.js` (the built CLI; built first when a source
 * is newer than dist/). Two lines are shortened: `tps load` runs 3 s instead of 60, and `tps stress` (a ramp
 * until the system breaks) is left to test/cli/load.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SystemStatus } from '../../src/domain/status.js';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../src/system/embedded.js';
import { runTps, type TpsRun } from '../support/tpsCli.js';
import { waitFor } from '../support/waitFor.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const TOUR = /## A 60-second tour\n\n```bash\n([\s\S]*?)```/.exec(README)?.[1] ?? '';

/** `npx tps …` as the tour runs it: the built CLI, against the system at `url`. */
const tps = (args: readonly string[], url: string, timeoutMs = 60_000): Promise<TpsRun> =>
  runTps([...args, '--url', url], { from: 'built', timeoutMs });

/** Builds dist/ (what bin/tps.js runs) when a file under src/ is newer than its CLI entry point. */
function buildIfStale(): void {
  const built = (() => {
    try {
      return statSync(join(REPO, 'dist/cli/main.js')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newest = readdirSync(join(REPO, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((latest, entry) => Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
  if (newest > built) execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO, stdio: 'inherit' });
}

/** The comment beside a command of the tour: what the README promises it does. */
function claimOf(command: string): string {
  const line = linesOf(command)[0];
  assert.ok(line, `the tour has the line \`${command}\``);
  return line.slice(command.length).replace(/^\s*#\s*/, '');
}

/** The lines of the tour that are this command, in order. */
const linesOf = (command: string): string[] =>
  TOUR.split('\n').filter((l) => l === command || new RegExp(`^${escapeRegExp(command)}\\s+#`).test(l));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe("the README's 60-second tour, on a default system", { timeout: 420_000 }, () => {
  let system: EmbeddedSystem;
  let url: string;
  const status = async (): Promise<SystemStatus> =>
    (await (await fetch(`${url}/status`)).json()) as SystemStatus;
  const laneFast = async () => (await status()).breakers.find((b) => b.name === 'lane:fast');

  let dir: string;
  before(async () => {
    buildIfStale();
    dir = mkdtempSync(join(tmpdir(), 'tps-tour-'));
    system = await startEmbeddedSystem({ port: 0, host: '127.0.0.1', logLevel: 'silent' }, { env: {} });
    url = system.url;
  });
  after(async () => {
    await system.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('send a signal: 202 with its id, lane and trace id; follow it: queued → processing → completed', async () => {
    assert.match(TOUR, /# send a signal: 202 with its id, lane and trace id/);
    const sent = await fetch(`${url}/signal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ signal_type: 'execute', payload: { task: 'test' } }),
    });
    assert.equal(sent.status, 202);
    const body = (await sent.json()) as { id: string; lane: string; trace_id: string };
    assert.equal(body.lane, 'fast');
    assert.ok(body.id && body.trace_id);
    assert.match(TOUR, /# follow it: queued → processing → completed/);
    await waitFor(
      async () =>
        ((await (await fetch(`${url}/signal/${body.id}/status`)).json()) as { status: string }).status ===
        'completed',
      { message: `${body.id} completed` },
    );
  });

  it('tps signal --type report --wait prints each status change', async () => {
    assert.match(claimOf('npx tps signal --type report --wait'), /printing each status change/);
    const run = await tps(['signal', '--type', 'report', '--wait'], url);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^accepted \(HTTP 202\): id \S+, lane slow, status queued/);
    assert.match(run.stdout, /\sprocessing/);
    assert.match(run.stdout.trim().split('\n').at(-1) ?? '', /\scompleted\b/);
  });

  it('tps status shows stations, lanes, pools, breakers, percentiles as tables; /metrics has signals_', async () => {
    const run = await tps(['status'], url);
    assert.equal(run.code, 0, run.stderr);
    for (const heading of ['STATIONS', 'LANES', 'POOLS', 'BREAKERS', 'LATENCY'])
      assert.match(run.stdout, new RegExp(`^${heading}`, 'm'));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.ok(metrics.split('\n').some((line) => line.startsWith('signals_accepted_total')));
  });

  it('with service C failing, two signals are dead-lettered, their tries open the breaker, the third gets 503', async () => {
    const chaos = await tps(['chaos', 'downstream', '--error-rate', '1'], url);
    assert.equal(chaos.code, 0, chaos.stderr);
    const [first, second] = linesOf('npx tps signal --wait');
    assert.match(first ?? '', /dead_lettered after 5/);
    assert.match(second ?? '', /breaker opens/);
    for (const _ of [first, second]) {
      const run = await tps(['signal', '--wait'], url);
      assert.equal(run.code, 1, 'a dead-lettered signal exits 1');
      assert.match(run.stdout, /^accepted \(HTTP 202\)/);
      assert.match(
        run.stdout.trim().split('\n').at(-1) ?? '',
        /dead_lettered \(attempt 5\).*service-c answered 503/,
      );
    }
    assert.equal((await laneFast())?.state, 'open', 'the lane breaker is open after ten failed tries');

    assert.match(claimOf('npx tps signal'), /intake answers 503 \+ Retry-After/);
    const refused = await tps(['signal'], url);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^refused: HTTP 503 LINE_STOPPED: .*breaker lane:fast is open.*\(retry after \d+ s\)/,
    );
    assert.doesNotMatch(refused.stderr, /(did not answer: .*){2}/, 'the cause is not repeated');
  });

  it('tps status then shows breaker lane:fast open and lane:fast red, with the cause', async () => {
    assert.match(claimOf('npx tps status'), /stations, lanes, pools/);
    assert.ok(TOUR.includes('# breaker lane:fast open, lane:fast red, with the cause'));
    const run = await tps(['status'], url);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\s+red\s+lane:fast\s.*service-c answered 503/m);
    assert.match(run.stdout, /^\s+lane:fast\s+open\b/m);
  });

  it('after tps chaos stop and CIRCUIT_BREAKER_RESET_MS, new signals probe the lane and 3 good ones close it', async () => {
    assert.match(claimOf('npx tps chaos stop'), /CIRCUIT_BREAKER_RESET_MS \(30 s\).*3 good ones close it/);
    const stop = await tps(['chaos', 'stop'], url);
    assert.equal(stop.code, 0, stop.stderr);
    // The default reset is 30 s: the lane refuses until then.
    await waitFor(
      async () => {
        const breaker = await laneFast();
        return breaker?.next_probe_at !== undefined && Date.parse(breaker.next_probe_at) <= Date.now();
      },
      { timeoutMs: 45_000, intervalMs: 500, message: 'the lane breaker due a probe' },
    );
    for (let probe = 1; probe <= 3; probe++) {
      const run = await tps(['signal', '--wait'], url);
      assert.equal(run.code, 0, `probe ${probe}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout.trim().split('\n').at(-1) ?? '', /\scompleted\b/);
    }
    assert.equal((await laneFast())?.state, 'closed');
  });

  it('tps load sends an open-model load and prints a latency report', async () => {
    assert.match(claimOf('npx tps load --rate 100 --duration 60'), /progress and a latency report/);
    const load = await tps(['load', '--rate', '100', '--duration', '3'], url);
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stdout, /^load: 100 req\/s for 3 s/m);
    assert.match(load.stdout, /^sent\s+300$/m);
    assert.match(load.stdout, /^latency p99\s+\d+/m);
  });

  it('tps experiment circuit-breaker --short passes every check (ok, no FAIL) and counts its own run', async () => {
    assert.match(claimOf('npx tps experiment circuit-breaker'), /time to open.*recovery, nothing lost/);
    const opensBefore = (await laneFast())?.opens ?? 0;
    assert.ok(opensBefore >= 1, 'the breaker opened earlier in the tour');
    const svg = join(dir, 'experiment-circuit-breaker.svg');
    const run = await tps(['experiment', 'circuit-breaker', '--short', '--svg', svg], url, 180_000);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const check of [
      'the breaker opened',
      'the breaker closed after the fault stopped',
      'nothing lost (checked by id)',
    ])
      assert.match(run.stdout, new RegExp(`^\\s*ok\\s+${check.replace(/[()]/g, '\\$&')}\\s`, 'm'));
    assert.doesNotMatch(run.stdout, /FAIL/);
    const opens = /times the breaker opened\s+(\d+)/.exec(run.stdout)?.[1];
    assert.equal(Number(opens), ((await laneFast())?.opens ?? 0) - opensBefore, 'opens during the run only');
  });
});

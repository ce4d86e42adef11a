import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmbeddedSystem, type EmbeddedSystem } from '../../src/system/embedded.js';
import { systemNodeFlags } from '../../src/system/nodeFlags.js';
import { freePort } from '../support/processes.js';
import { runTps, type TpsRun } from '../support/tpsCli.js';
import { waitFor } from '../support/waitFor.js';

/** Runs `tps` as a user would, from the TypeScript sources, in a clean environment without colour. */
const tps = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<TpsRun> => runTps(args, { env });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tps against a running system', () => {
  let system: EmbeddedSystem;
  let url: string;

  before(async () => {
    system = await startEmbeddedSystem({ port: 0, host: '127.0.0.1', logLevel: 'silent' }, { env: {} });
    url = system.url;
  });
  after(() => system.close());

  it('status prints tables of stations, lanes and pools, with their names and levels in words', async () => {
    const run = await tps(['status', '--url', url]);
    assert.equal(run.code, 0, run.stderr);
    for (const heading of ['STATIONS', 'LANES', 'POOLS', 'BREAKERS', 'LATENCY', 'RATES']) {
      assert.match(run.stdout, new RegExp(`^${heading}`, 'm'));
    }
    assert.match(run.stdout, /andon green/);
    assert.match(run.stdout, /^\s+green\s+lane:fast\s/m);
    assert.match(run.stdout, /^\s+green\s+pool:slow\s/m);
    assert.match(run.stdout, /^\s+fast\s+0\/1000\s+0\s+\d+\s+0\s+running$/m, 'the fast lane row');
    assert.match(run.stdout, /^\s+slow\s+10\s+\d+\s+\d+\s+\d+\s/m, 'the slow pool row');
    assert.match(run.stdout, /^\s+lead time, fast\s/m);
    assert.ok(!run.stdout.includes('\x1b['), 'no colour codes when stdout is not a terminal');
  });

  it('signal --wait follows the signal until it is completed', async () => {
    const run = await tps(['signal', '--wait', '--url', url]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^accepted \(HTTP 202\): id \S+, lane fast, status queued/);
    const lines = run.stdout.trim().split('\n');
    assert.match(lines.at(-1) ?? '', /\scompleted\b/);
  });

  it('traces lists recent traces with their figures, and draws one signal’s trace as a waterfall', async () => {
    const sent = await tps(['signal', '--wait', '--url', url]);
    const id = /id (\S+),/.exec(sent.stdout)?.[1] ?? '';
    const list = await tps(['traces', '--url', url, '--outcome', 'completed']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^\s*TRACE\s+SIGNAL\s+LANE\s+OUTCOME\s+LEAD\s+PROCESS\s+WAIT\s+PCE\s+SPANS/m);
    assert.match(list.stdout, /average of \d+ finished: lead/);
    const one = await waitFor(
      async () => {
        const run = await tps(['traces', '--signal', id, '--url', url]);
        return run.code === 0 && run.stdout.includes('completed') ? run : undefined;
      },
      { message: `the completed trace of ${id}` },
    );
    assert.match(one.stdout, /process-cycle efficiency \d+\.\d %/);
    assert.match(one.stdout, /^POST \/signal\s+api\s+│█/m);
    assert.match(one.stdout, /^\s+queue wait fast\s+queue\s+│\s*░/m);
    assert.match(one.stdout, /^\s+POST → service-c\s+worker\s+│/m);
    assert.match(one.stdout, /^\s+POST \/work\s+service-a\s+│/m);
  });

  it('traces refuses a bad flag value naming the flag', async () => {
    const run = await tps(['traces', '--outcome', 'maybe', '--url', url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--outcome expects one of in_progress, completed/);
  });

  it('health says healthy', async () => {
    const run = await tps(['health', '--url', url]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^healthy \(HTTP 200\)/);
  });

  it('health exits 2 while the andon is red, saying unhealthy and why when the whole line is stopped', async () => {
    const admin = (path: string, body: object) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await admin('/andon/pull', { lane: 'slow', reason: 'a lane stopped' })).status, 200);
    const lane = await tps(['health', '--url', url]);
    assert.equal(lane.code, 2, 'red andon, though the fast lane still takes signals');
    assert.match(lane.stdout, /^healthy \(HTTP 200\) at \S+ — andon red/);
    assert.match(lane.stdout, /red\s+lane:slow: .*a lane stopped/);
    assert.equal((await admin('/andon/pull', { reason: 'the whole line' })).status, 200);
    const line = await tps(['health', '--url', url]);
    assert.equal(line.code, 2);
    assert.match(line.stdout, /^unhealthy \(HTTP 503\)/);
    assert.match(
      line.stdout,
      /^\s+check line: stopped: andon cord pulled for the whole line.*: the whole line/m,
    );
    assert.equal((await admin('/andon/reset', {})).status, 200);
    assert.equal((await admin('/andon/reset', { lane: 'slow' })).status, 200);
    const back = await tps(['health', '--url', url]);
    assert.equal(back.code, 0, back.stdout);
  });

  it('help lists the commands and the exit codes, with no empty "coming:" heading', async () => {
    const run = await tps(['help']);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /coming:/);
    assert.match(run.stdout, /^ {2}tps health /m);
    assert.match(run.stdout, /tps health: 2 also when the andon is red/);
    const health = await tps(['health', '--help']);
    assert.match(health.stdout, /2 the andon is red/);
  });

  it('metrics --grep keeps only the matching lines of the exposition', async () => {
    const run = await tps(['metrics', '--grep', 'queue_depth', '--url', url]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.ok(lines.length >= 2);
    assert.ok(lines.every((line) => line.includes('queue_depth')));
  });

  it('chaos injects a downstream fault and stop clears it', async () => {
    const injected = await tps([
      'chaos',
      'downstream',
      '--latency',
      '1',
      '--target',
      'service-a',
      '--url',
      url,
    ]);
    assert.equal(injected.code, 0, injected.stderr);
    assert.match(injected.stdout, /chaos active: service-a \+1 ms/);
    const stopped = await tps(['chaos', 'stop', '--url', url]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /chaos: none active/);
  });

  it('a bad flag exits 2 naming the flag, with the usage', async () => {
    const run = await tps(['status', '--bogus', '--url', url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^tps status: unknown flag --bogus$/m);
    assert.match(run.stderr, /^usage: tps status/m);
  });

  it('a --payload that is not JSON exits 2 naming --payload, and sends nothing', async () => {
    const run = await tps(['signal', '--payload', '{task', '--url', url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--payload is not valid JSON/);
  });

  it('an unknown command exits 2 naming it', async () => {
    const run = await tps(['frobnicate']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown command 'frobnicate'/);
  });
});

describe('tps when nothing answers', () => {
  it('exits 1 saying nothing answers and how to start it', async () => {
    const port = await freePort();
    const run = await tps(['health', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      new RegExp(`nothing answers at http://127\\.0\\.0\\.1:${port} — start it with \`make up\``),
    );
  });
});

describe('tps up and down', () => {
  let runDir: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'tps-cli-'));
    env = { TPS_RUN_DIR: runDir, PORT: String(await freePort()), LOG_LEVEL: 'warn' };
  });
  after(async () => {
    // Whatever happened above, leave no system running.
    const pid = Number(await readFile(join(runDir, 'tps.pid'), 'utf8').catch(() => ''));
    if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    await rm(runDir, { recursive: true, force: true });
  });

  it('up returns once healthy with a pid file; down stops that pid and removes the file', async () => {
    const up = await tps(['up'], env);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    assert.match(up.stdout, /tps is up at http:\/\/localhost:\d+ \(pid \d+\)/);
    const pidFile = join(runDir, 'tps.pid');
    const pid = Number(await readFile(pidFile, 'utf8'));
    assert.ok(pid > 0 && isAlive(pid), 'the pid in the pid file runs');
    if (existsSync('/proc/self/cmdline')) {
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      // The CLI runs on the cores this test runs on.
      for (const flag of systemNodeFlags()) assert.ok(commandLine.includes(flag), commandLine.join(' '));
    }
    const health = await fetch(`http://localhost:${env.PORT}/health`);
    assert.equal(health.status, 200);
    assert.ok(existsSync(join(runDir, 'tps.log')));

    const again = await tps(['up'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already up: pid \d+/);

    const down = await tps(['down'], env);
    assert.equal(down.code, 0, `${down.stdout}\n${down.stderr}`);
    assert.match(down.stdout, new RegExp(`stopped tps \\(pid ${pid}\\)`));
    assert.equal(existsSync(pidFile), false, 'the pid file is gone');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5_000, message: `pid ${pid} gone` });

    const downAgain = await tps(['down'], env);
    assert.equal(downAgain.code, 0);
    assert.match(downAgain.stdout, /nothing to stop/);
  });
});

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { withSystemNodeFlags } from '../../system/nodeFlags.js';
import { createApiClient, type ApiClient } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { formatDuration } from '../formatTime.js';
import { baseUrl, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createProgress } from '../Progress.js';
import { UsageError } from '../UsageError.js';
import { isAlive, readPid, REPO_ROOT, removePidFile, runFiles, type RunFiles } from '../runFiles.js';

const HEALTH_DEADLINE_MS = 30_000;
const POLL_MS = 200;

export const upCommand: Command = {
  name: 'up',
  summary: 'start the system in the background and wait until it is healthy',
  usage: `tps up [--url URL]

  Starts \`tps start\` detached, logging to $TPS_RUN_DIR/tps.log (default <repo>/.run/tps.log) with its pid in
  tps.pid beside it, and returns once GET <url>/health answers 200 (at most ${HEALTH_DEADLINE_MS / 1000} s).
  --url URL   where it will answer (default http://localhost:$PORT, PORT defaulting to 8080); a port given
              here becomes the PORT of the started system`,

  async run(args, { env }) {
    const { values } = parseFlags('up', args, URL_FLAG);
    const url = baseUrl('up', values.url, env);
    if (values.url === undefined && env.PORT !== undefined && Number(env.PORT) === 0) {
      throw new UsageError(
        'PORT=0 picks a random port, so tps up could not tell where to look; set a port',
        'up',
      );
    }
    const files = runFiles(env);
    const api = createApiClient(url, env);

    const running = await readPid(files.pidFile);
    if (running !== undefined && isAlive(running)) {
      const answer = await healthAnswer(api);
      if (answer !== undefined) {
        const unhealthy = answer === 'unhealthy' ? ' but is unhealthy (see `tps health`)' : '';
        console.log(
          `already up: pid ${running} answers at ${url}${unhealthy} (log ${files.logFile}; stop with \`tps down\`)`,
        );
        return 0;
      }
      console.log(`pid ${running} from ${files.pidFile} runs but is not healthy yet; waiting for it`);
      return waitForHealth(api, running, files, 0, undefined);
    }
    if (running !== undefined) await removePidFile(files.pidFile);
    if ((await healthAnswer(api)) !== undefined) {
      console.error(
        `something already answers at ${url}, but not one \`tps up\` started (no live pid in ${files.pidFile}); ` +
          'stop it first, or choose another port with PORT=…',
      );
      return 1;
    }

    await mkdir(files.dir, { recursive: true });
    const logOffset = await stat(files.logFile).then(
      (s) => s.size,
      () => 0,
    );
    const log = openSync(files.logFile, 'a');
    const childEnv = { ...env };
    if (values.url !== undefined)
      childEnv.PORT = new URL(url).port || (url.startsWith('https:') ? '443' : '80');
    // Re-run whatever this process runs (compiled JS, or TypeScript under tsx's loader) with `start`.
    const script = process.argv[1];
    if (!script) throw new Error('cannot tell which script runs tps (process.argv[1] is empty)');
    const child = spawn(process.execPath, [...withSystemNodeFlags(process.execArgv), script, 'start'], {
      cwd: REPO_ROOT,
      env: childEnv,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) =>
        resolve(signal ? `was killed by ${signal}` : `exited with code ${code}`),
      );
      child.once('error', (error) => resolve(`could not start: ${error.message}`));
    });
    child.unref();
    if (child.pid === undefined) {
      console.error(`tps start ${await exited}`);
      return 1;
    }
    await writeFile(files.pidFile, `${child.pid}\n`);
    console.log(`starting tps (pid ${child.pid}), log ${files.logFile}`);
    return waitForHealth(api, child.pid, files, logOffset, exited);
  },
};

/**
 * How a running system answers /health: 503 "unhealthy" is an answer too (a stopped line), so a system that runs
 * is not taken for one that is starting.
 */
async function healthAnswer(api: ApiClient): Promise<'healthy' | 'unhealthy' | undefined> {
  try {
    const answer = await api.get('/health', { timeoutMs: 2_000 });
    const status = (answer.json as { status?: unknown } | undefined)?.status;
    return status === 'healthy' || status === 'unhealthy' ? status : undefined;
  } catch {
    return undefined;
  }
}

async function healthy(api: ApiClient): Promise<boolean> {
  try {
    return (await api.get('/health', { timeoutMs: 2_000 })).status === 200;
  } catch {
    return false;
  }
}

async function waitForHealth(
  api: ApiClient,
  pid: number,
  { logFile, pidFile }: RunFiles,
  logOffset: number,
  exited: Promise<string> | undefined,
): Promise<number> {
  const started = Date.now();
  const deadline = started + HEALTH_DEADLINE_MS;
  const child: { exit?: string } = {};
  void exited?.then((why) => (child.exit = why));
  const progress = createProgress(`waiting for ${api.url}/health`);
  try {
    for (;;) {
      if (await healthy(api)) {
        progress.done(`healthy after ${formatDuration(Date.now() - started)}`);
        console.log(
          `tps is up at ${api.url} (pid ${pid}) — try \`tps status\`, \`tps logs\`; stop with \`tps down\``,
        );
        return 0;
      }
      if (child.exit !== undefined || (exited === undefined && !isAlive(pid))) {
        progress.done('failed');
        console.error(`tps start ${child.exit ?? 'is gone'} before answering; the end of ${logFile}:`);
        console.error(await logTail(logFile, logOffset));
        await removePidFile(pidFile);
        return 1;
      }
      if (Date.now() >= deadline) {
        progress.done('timed out');
        console.error(
          `no healthy answer at ${api.url}/health within ${HEALTH_DEADLINE_MS / 1000} s; pid ${pid} still runs ` +
            `(\`tps logs\` to look, \`tps down\` to stop it). The end of ${logFile}:`,
        );
        console.error(await logTail(logFile, logOffset));
        return 1;
      }
      progress.tick();
      await sleep(POLL_MS);
    }
  } finally {
    progress.done();
  }
}

/** The last lines this run wrote (from `offset`, so an earlier run's lines do not mislead). */
async function logTail(logFile: string, offset: number, lines = 30): Promise<string> {
  const text = await readFile(logFile).then(
    (buffer) => buffer.subarray(offset).toString('utf8'),
    () => '',
  );
  const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
  return tail === '' ? '  (the log is empty)' : tail;
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '../Command.js';
import { formatDuration } from '../formatTime.js';
import { parseFlags } from '../parseFlags.js';
import { createProgress } from '../Progress.js';
import { isAlive, looksLikeTpsStart, readPid, removePidFile, runFiles } from '../runFiles.js';

const TERM_DEADLINE_MS = 30_000;
const KILL_DEADLINE_MS = 5_000;
const POLL_MS = 100;

export const downCommand: Command = {
  name: 'down',
  summary: 'stop the system `tps up` started (SIGTERM, drains; SIGKILL after 30 s)',
  usage: `tps down

  Sends SIGTERM to the pid in $TPS_RUN_DIR/tps.pid (default <repo>/.run/tps.pid), waits up to
  ${TERM_DEADLINE_MS / 1000} s for it to drain and exit, then SIGKILLs it. Nothing running is not an error.`,

  async run(args, { env }) {
    parseFlags('down', args, {});
    const { pidFile } = runFiles(env);
    const pid = await readPid(pidFile);
    if (pid === undefined) {
      console.log(`nothing to stop: no pid in ${pidFile} (\`tps up\` starts the system)`);
      return 0;
    }
    if (!isAlive(pid) || !looksLikeTpsStart(pid)) {
      await removePidFile(pidFile);
      const what = isAlive(pid) ? 'now belongs to another program, not tps' : 'is already gone';
      console.log(`nothing runs: pid ${pid} from ${pidFile} ${what}; removed the stale pid file`);
      return 0;
    }

    const started = Date.now();
    process.kill(pid, 'SIGTERM');
    if (await exitsWithin(pid, TERM_DEADLINE_MS, `SIGTERM sent to pid ${pid}, waiting for it to drain`)) {
      await removePidFile(pidFile);
      console.log(`stopped tps (pid ${pid}) in ${formatDuration(Date.now() - started)}`);
      return 0;
    }
    console.error(`pid ${pid} did not exit within ${TERM_DEADLINE_MS / 1000} s of SIGTERM; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
    if (await exitsWithin(pid, KILL_DEADLINE_MS, `SIGKILL sent to pid ${pid}`)) {
      await removePidFile(pidFile);
      console.log(
        `killed tps (pid ${pid}); signals it held in memory are lost (the memory queue is not durable)`,
      );
      return 0;
    }
    console.error(`pid ${pid} still runs after SIGKILL; left ${pidFile} in place`);
    return 1;
  },
};

async function exitsWithin(pid: number, ms: number, label: string): Promise<boolean> {
  const deadline = Date.now() + ms;
  const progress = createProgress(label);
  while (isAlive(pid)) {
    if (Date.now() >= deadline) {
      progress.done('still running');
      return false;
    }
    progress.tick();
    await sleep(POLL_MS);
  }
  progress.done('exited');
  return true;
}

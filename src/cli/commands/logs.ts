import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Command } from '../Command.js';
import { integerFlag, parseFlags } from '../parseFlags.js';
import { runFiles } from '../runFiles.js';

export const logsCommand: Command = {
  name: 'logs',
  summary: 'follow the log of the system `tps up` started (tail -F)',
  usage: `tps logs [--lines N]

  Follows $TPS_RUN_DIR/tps.log (default <repo>/.run/tps.log), starting N lines back (default 100). Ctrl-C ends.`,

  async run(args, { env }) {
    const { values } = parseFlags('logs', args, { lines: { type: 'string', short: 'n' } });
    const lines = integerFlag('logs', 'lines', values.lines, { min: 0, max: 1_000_000 }) ?? 100;
    const { logFile } = runFiles(env);
    if (!existsSync(logFile)) {
      console.log(`no log yet: ${logFile} does not exist (\`tps up\` writes it)`);
      return 0;
    }
    const tail = spawn('tail', ['-n', String(lines), '-F', logFile], { stdio: 'inherit' });
    // Ctrl-C reaches tail too (same process group); a signal sent to tps alone is passed on. Either way tps
    // stays until tail has gone, so no tail is left behind.
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const forward = (signal: NodeJS.Signals) => tail.kill(signal);
    for (const signal of signals) process.on(signal, forward);
    return new Promise<number>((resolve) => {
      const finish = (code: number) => {
        for (const signal of signals) process.off(signal, forward);
        resolve(code);
      };
      tail.once('error', (error) => {
        console.error(`could not run tail: ${error.message}`);
        finish(1);
      });
      tail.once('exit', (code, signal) => finish(signal && signals.includes(signal) ? 0 : (code ?? 1)));
    });
  },
};

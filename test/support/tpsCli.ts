import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Variables of this test process that would change what `tps` does (its port, run folder, token, colours). */
const NOT_PASSED = new Set(['NODE_TEST_CONTEXT', 'PORT', 'TPS_RUN_DIR', 'TPS_ADMIN_TOKEN', 'FORCE_COLOR']);

export interface TpsRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TpsOptions {
  /** Extra environment for the command. */
  env?: NodeJS.ProcessEnv;
  /** `source` runs src/cli/main.ts through tsx; `built` runs bin/tps.js on dist/, as `npx tps` does. */
  from?: 'source' | 'built';
  timeoutMs?: number;
}

/** Runs `tps` as a user would, as a child process in the repository, in a clean environment without colour. */
export function runTps(args: readonly string[], options: TpsOptions = {}): Promise<TpsRun> {
  const { env = {}, from = 'source', timeoutMs = 60_000 } = options;
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_PASSED.has(name)));
  const entry = from === 'built' ? ['bin/tps.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...entry, ...args],
      { cwd: REPO, env: { ...base, NO_COLOR: '1', ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          reject(new Error(`tps ${args.join(' ')}: ${stderr}`, { cause: error }));
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

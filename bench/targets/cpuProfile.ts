import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export interface CpuProfile {
  /** Ends the profile and writes it; answers the file's path. */
  stop(): Promise<string>;
}

let profiles = 0;

/**
 * A CPU profile of one measured stretch of a target, written as `<dir>/<name>-<pid>-<n>.cpuprofile` (open it in
 * Chrome's DevTools or VS Code). Unlike `node --cpu-prof`, which covers the whole process, it leaves out
 * start-up, module loading and the warm-up, whose one-off costs would otherwise read as a cost per request.
 */
export function startCpuProfile(dir: string, name: string): CpuProfile {
  const session = new Session();
  session.connect();
  const started = session.post('Profiler.enable').then(() => session.post('Profiler.start'));
  return {
    async stop() {
      await started;
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const file = join(dir, `${name}-${process.pid}-${(profiles += 1)}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      return file;
    },
  };
}

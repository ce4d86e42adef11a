import type { LaneName } from '../../domain/signal.js';
import type { Logger } from '../../telemetry/logger.js';
import { cordChanges, type Line, type RemoteCords } from '../../tps/jidoka/index.js';

/**
 * A worker's side of the andon cord in the distributed mode: it reads the API's cords every `intervalMs` and
 * pulls or resets the same cords on its own line, so a lane stopped at the API also stops being pulled here.
 * While the API does not answer, the cords stay as they were last seen.
 */
export function startCordMirror(options: {
  apiUrl: string;
  intervalMs: number;
  line: Line;
  lanes: readonly LaneName[];
  logger: Logger;
}): { stop(): void } {
  const { line, logger } = options;
  const url = `${options.apiUrl.replace(/\/+$/, '')}/andon/cords`;
  let reachable = true;
  let busy = false;

  const sync = async (): Promise<void> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(Math.max(1000, options.intervalMs)) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const remote = (await response.json()) as RemoteCords;
    for (const change of cordChanges(remote, line.snapshot(), options.lanes)) {
      const scope = change.lane === undefined ? {} : { lane: change.lane };
      if (change.action === 'pull') line.pullCord({ ...scope, reason: change.reason, by: change.by });
      else line.resetCord({ ...scope, by: change.by });
    }
  };

  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    sync()
      .then(() => {
        if (!reachable) logger.info({ url }, 'andon cords of the API readable again');
        reachable = true;
      })
      .catch((err: unknown) => {
        if (reachable)
          logger.warn({ err, url }, 'cannot read the andon cords of the API; keeping the last ones');
        reachable = false;
      })
      .finally(() => (busy = false));
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** The child side of a bench target: start, announce the URL on stdout, answer RSS and CPU requests, close when told. */

export interface Target {
  url: string;
  close(): Promise<void>;
}

export type TargetRequest = { type: 'rss' } | { type: 'cpu' } | { type: 'close' };
/** `cpuMs`: user + system CPU time of the target process so far (process.cpuUsage), in milliseconds. */
export type TargetReply = { type: 'rss'; rss: number } | { type: 'cpu'; cpuMs: number };
export interface TargetAnnouncement {
  url: string;
  pid: number;
}

export async function runTarget(start: () => Promise<Target>): Promise<void> {
  const target = await start();
  let closing: Promise<void> | undefined;
  const shutdown = (): void => {
    closing ??= target.close().finally(() => process.exit(0));
  };
  process.on('message', (message: TargetRequest) => {
    if (message.type === 'rss')
      process.send?.({ type: 'rss', rss: process.memoryUsage().rss } satisfies TargetReply);
    else if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', cpuMs: (user + system) / 1000 } satisfies TargetReply);
    } else shutdown();
  });
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(
    `${JSON.stringify({ benchTarget: { url: target.url, pid: process.pid } satisfies TargetAnnouncement })}\n`,
  );
}

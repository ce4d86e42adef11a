import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this long. Default 5 000 ms. */
  timeoutMs?: number;
  /** Pause between polls. Default 10 ms. */
  intervalMs?: number;
  /** Says what was awaited when it times out. */
  message?: string;
}

export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` until it returns something truthy and resolves that value; rejects once the deadline passes.
 * Tests wait for a condition this way instead of sleeping a fixed time.
 */
export const waitFor = async <T>(
  probe: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 10, message }: WaitForOptions = {},
): Promise<Truthy<T>> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${message ?? 'condition'} not met within ${timeoutMs} ms (last: ${String(last)})`, {
        cause: last instanceof Error ? last : undefined,
      });
    }
    await sleep(intervalMs);
  }
};

import type { SignalType } from '../domain/signal.js';

export const MIX_NAMES = ['fast-heavy', 'even', 'slow-heavy'] as const;
export type MixName = (typeof MIX_NAMES)[number];

const FAST: readonly SignalType[] = ['execute', 'validate', 'notify'];
const SLOW: readonly SignalType[] = ['report', 'batch', 'analyze'];

/** Out of every ten requests, how many are fast-lane types (the rest go to the slow lane). */
const FAST_IN_TEN: Record<MixName, number> = { 'fast-heavy': 8, even: 5, 'slow-heavy': 2 };

/** The share of requests a mix sends to each lane. */
export function mixShares(mix: MixName): { fast: number; slow: number } {
  const fast = FAST_IN_TEN[mix] / 10;
  return { fast, slow: 1 - fast };
}

/**
 * The signal type of request i: deterministic, so every ten consecutive requests hold the mix exactly
 * (fast-heavy 8 fast + 2 slow), and each lane's types take turns within it.
 */
export function signalTypeOf(mix: MixName, i: number): SignalType {
  const fastInTen = FAST_IN_TEN[mix];
  const block = Math.floor(i / 10);
  const slot = i % 10;
  if (slot < fastInTen) return FAST[(block * fastInTen + slot) % FAST.length]!;
  return SLOW[(block * (10 - fastInTen) + slot - fastInTen) % SLOW.length]!;
}

/** The JSON body of request i of a run: its signal type from the mix, and a payload saying it is load. */
export function mixBody(mix: MixName, runId: string = Date.now().toString(36)): (i: number) => string {
  return (i) =>
    JSON.stringify({ signal_type: signalTypeOf(mix, i), payload: { task: 'load', run: runId, i } });
}

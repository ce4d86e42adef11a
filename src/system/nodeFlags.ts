import { availableParallelism } from 'node:os';

/**
 * Node's own flags for every process of the system, whichever way it starts: `npm start`, `tps up` (and so
 * `make up`), `tps run-local` and the container image (as NODE_OPTIONS). The bench runs its targets with them
 * too, so it measures the system as it runs.
 *
 * `--max-semi-space-size=8`: V8 lets the young generation grow to 2 × 16 MB, and it does while the modules
 * load; it never gives that back. Capped at 2 × 8 MB, the embedded system holds about 12–16 MB less RSS
 * under load, for twice the (shorter) scavenges and 5–9 % more bytes promoted per request. See
 * docs/performance.md.
 */
export const SYSTEM_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Added for a process that has one core. Node gives V8 four helper threads for marking and scavenging
 * whatever the cores; on one core they can only take turns with the event loop, which then stalls for tens of
 * ms at each full collection, and their hand-offs cost CPU. With `--single-threaded-gc` the collector works on
 * the main thread in short steps instead. The embedded system on one core at 8000/s, three runs each: p99
 * 7–9 ms against 17–31 ms (docs/performance.md). It keeps more garbage for a while: RSS at 5000/s read
 * 141–148 MB against 133–140 (then 131–134 MB with the flag, once downstream calls had left undici).
 *
 * `--no-allocation-site-pretenuring` goes with it: with single-threaded GC, V8 at times took to allocating
 * short-lived per-request objects straight into the old generation (pretenuring them). The bench's partial
 * systems then grew their old generation by 3.0–3.9 KB per request instead of 6–500 B, ran two or three full
 * collections a step and reached up to 214 MB of RSS. Without pretenuring, in four runs, they did not, and the
 * whole system's figures did not move beyond their noise.
 */
export const ONE_CORE_NODE_FLAGS: readonly string[] = [
  '--single-threaded-gc',
  '--no-allocation-site-pretenuring',
];

/** The flags for a process that can run on `cores` cores (default: the cores this process may use). */
export const systemNodeFlags = (cores: number = availableParallelism()): string[] =>
  cores > 1 ? [...SYSTEM_NODE_FLAGS] : [...SYSTEM_NODE_FLAGS, ...ONE_CORE_NODE_FLAGS];

const flagName = (flag: string): string => flag.split('=')[0] ?? flag;

/** `execArgv` with the system's flags (for `cores`) in place of any of the same name it already has. */
export function withSystemNodeFlags(execArgv: readonly string[], cores?: number): string[] {
  const flags = systemNodeFlags(cores);
  const ours = new Set(flags.map(flagName));
  return [...execArgv.filter((arg) => !ours.has(flagName(arg))), ...flags];
}

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

const flagName = (flag: string): string => flag.split('=')[0] ?? flag;

/** `execArgv` with the system's flags in place of any of the same name it already has. */
export function withSystemNodeFlags(execArgv: readonly string[]): string[] {
  const ours = new Set(SYSTEM_NODE_FLAGS.map(flagName));
  return [...execArgv.filter((arg) => !ours.has(flagName(arg))), ...SYSTEM_NODE_FLAGS];
}

/** A stepped ramp: `from` req/s, plus `step` every `intervalMs`, up to `to`. */
export interface Ramp {
  from: number;
  to: number;
  step: number;
  intervalMs: number;
}

const RAMP = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/**
 * Parses `FROM:TO:STEP/INTERVAL` (e.g. `100:500:50/30s`; the interval in s by default, or with ms, s or m).
 * Throws a RangeError saying what is wrong; a falling ramp (FROM > TO) is allowed.
 */
export function parseRamp(text: string): Ramp {
  const match = RAMP.exec(text.trim());
  if (!match) throw new RangeError(`expects FROM:TO:STEP/INTERVAL such as 100:500:50/30s, got '${text}'`);
  const [, from, to, step, interval, unit] = match;
  const ramp: Ramp = {
    from: Number(from),
    to: Number(to),
    step: Number(step),
    intervalMs: Number(interval) * UNIT_MS[(unit ?? 's') as keyof typeof UNIT_MS],
  };
  if (ramp.from <= 0 || ramp.to <= 0) throw new RangeError(`rates must be above 0, got '${text}'`);
  if (ramp.step <= 0) throw new RangeError(`STEP must be above 0, got '${text}'`);
  if (ramp.intervalMs < 100) throw new RangeError(`INTERVAL must be at least 100 ms, got '${text}'`);
  return ramp;
}

/** The rates of the ramp's steps, in order, the last one exactly `to`. */
export function rampSteps(ramp: Ramp): number[] {
  const rising = ramp.to >= ramp.from;
  const steps: number[] = [];
  for (
    let rate = ramp.from;
    rising ? rate < ramp.to : rate > ramp.to;
    rate += rising ? ramp.step : -ramp.step
  ) {
    steps.push(rate);
  }
  steps.push(ramp.to);
  return steps;
}

/** How long the whole ramp lasts: one interval per step. */
export const rampDurationMs = (ramp: Ramp): number => rampSteps(ramp).length * ramp.intervalMs;

/** The ramp as a rate for runOpenModelLoad: the step's rate at each moment, holding `to` after the last step. */
export function rampRate(ramp: Ramp): (elapsedMs: number) => number {
  const steps = rampSteps(ramp);
  return (elapsedMs) => steps[Math.min(steps.length - 1, Math.floor(elapsedMs / ramp.intervalMs))]!;
}

/**
 * The rates a stress run tries: `from`, `from + step`, … up to `maxRate` (the last one may be `maxRate` itself),
 * cut so the steps fit in `maxTotalMs`.
 */
export function stressSteps(options: {
  from: number;
  step: number;
  everyMs: number;
  maxRate: number;
  maxTotalMs: number;
}): number[] {
  const { from, step, everyMs, maxRate, maxTotalMs } = options;
  const most = Math.max(1, Math.floor(maxTotalMs / everyMs));
  const steps: number[] = [];
  for (let rate = from; steps.length < most; rate += step) {
    if (rate >= maxRate) {
      steps.push(maxRate);
      break;
    }
    steps.push(rate);
  }
  return steps;
}

/** A ramp in words: `50 → 300 req/s, +50 every 5 s`. */
export const describeRamp = (ramp: Ramp): string =>
  `${ramp.from} → ${ramp.to} req/s, +${ramp.step} every ${ramp.intervalMs / 1000} s`;

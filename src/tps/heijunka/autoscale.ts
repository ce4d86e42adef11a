export interface ScaleInput {
  /** Workers in the pool now. */
  size: number;
  /** Workers holding an item now. */
  busy: number;
  /** Items waiting in the lane, not yet pulled. */
  backlog: number;
  min: number;
  max: number;
  now: number;
  /** When the pool last changed size; -Infinity if never. */
  lastScaleAt: number;
  /** Since when the pool has had spare workers without a break; undefined while every worker is busy. */
  idleSince?: number;
}

export interface ScalePolicy {
  /** Grow when the backlog per worker exceeds this while every worker is busy. */
  scaleUpBacklogPerWorker: number;
  /** Workers added per growth. */
  step: number;
  /** No change within this long of the last one, so the pool does not flap. */
  cooldownMs: number;
  /** Shrink by one after the pool has had spare workers, and no backlog, this long. */
  idleMs: number;
}

export interface ScaleDecision {
  size: number;
  reason: string;
}

const workers = (n: number): string => `${n} worker${n === 1 ? '' : 's'}`;

/**
 * Heijunka's pool sizing: grow under backlog, shrink when idle, never outside [min, max].
 * The caller keeps `idleSince` (see `nextIdleSince`) and `lastScaleAt`.
 */
export function decideScale(input: ScaleInput, policy: ScalePolicy): ScaleDecision {
  const { size, busy, backlog, min, max, now, lastScaleAt, idleSince } = input;
  if (min > max) throw new RangeError(`pool min ${min} is above max ${max}`);
  if (size < min) return { size: min, reason: `${workers(size)} is below min ${min}: +${min - size}` };
  if (size > max) return { size: max, reason: `${workers(size)} is above max ${max}: -${size - max}` };

  const sinceLast = now - lastScaleAt;
  if (sinceLast < policy.cooldownMs) {
    return { size, reason: `cooldown: ${Math.ceil(policy.cooldownMs - sinceLast)} ms left` };
  }

  const allBusy = busy >= size;
  if (allBusy && backlog > 0 && (size === 0 || backlog / size > policy.scaleUpBacklogPerWorker)) {
    if (size >= max)
      return { size, reason: `backlog ${backlog} for ${workers(size)}, already at max ${max}` };
    const grown = Math.min(max, size + Math.max(1, Math.floor(policy.step)));
    return { size: grown, reason: `backlog ${backlog} for ${workers(size)}: +${grown - size}` };
  }

  const idleFor = idleSince === undefined ? 0 : now - idleSince;
  if (backlog === 0 && !allBusy && idleSince !== undefined && idleFor >= policy.idleMs) {
    const spare = size - busy;
    if (size <= min) return { size, reason: `${spare} idle for ${idleFor} ms, already at min ${min}` };
    return { size: size - 1, reason: `${spare} of ${workers(size)} idle for ${idleFor} ms, no backlog: -1` };
  }

  return { size, reason: `steady: backlog ${backlog}, ${busy} of ${workers(size)} busy` };
}

/** Carries `idleSince` from one decision to the next: kept while some worker is spare, cleared once all are busy. */
export function nextIdleSince(
  previous: number | undefined,
  busy: number,
  size: number,
  now: number,
): number | undefined {
  if (busy >= size) return undefined;
  return previous ?? now;
}

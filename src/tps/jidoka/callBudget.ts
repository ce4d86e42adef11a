/**
 * Deadline propagation: each hop of a call chain tells the next how long it may still take (the header
 * `tps-budget-ms`, milliseconds left, like gRPC's `grpc-timeout`: relative, so the two clocks need not agree).
 * A hop calls on with the smaller of its own timeout and what is left of its caller's budget less a margin for
 * the way back, so the deepest call gives up first and every caller gets an answer before its own limit.
 */
export const BUDGET_HEADER = 'tps-budget-ms';

/** What a hop keeps for answering its caller after its own call ends: 5 % of what is left, 1 to 10 ms. */
export const budgetMarginMs = (remainingMs: number): number =>
  Math.max(1, Math.min(10, Math.round(remainingMs * 0.05)));

/**
 * The time limit of the next call in ms: `timeoutMs` (the caller's own limit) when no deadline came with the
 * request, else the smaller of it and what is left before `deadline` (epoch ms) less the margin. Zero or less
 * means no time is left: the call should fail at once without going on the wire.
 */
export function callBudgetMs(timeoutMs: number, deadline: number | undefined, now: number): number {
  if (deadline === undefined) return timeoutMs;
  const remaining = deadline - now;
  return Math.min(timeoutMs, Math.floor(remaining - budgetMarginMs(remaining)));
}

/**
 * The deadline (epoch ms) a request's budget header sets, read when the request arrived (`arrivedAt`);
 * undefined without the header. Throws a RangeError naming the header for a value that is not a whole number
 * of ms ≥ 0.
 */
export function deadlineFrom(header: string | string[] | undefined, arrivedAt: number): number | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\d{1,9}$/.test(text.trim())) {
    throw new RangeError(`${BUDGET_HEADER} must be a whole number of ms ≥ 0, got '${String(header)}'`);
  }
  return arrivedAt + Number(text);
}

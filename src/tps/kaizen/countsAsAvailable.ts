/**
 * Whether an answer to POST /signal counts for the availability SLO: a 2xx is good, a 5xx is bad (refused by a
 * stopped line, a queue or database down, a shutdown, a bug), and a 4xx does not count: 400/413/415 are the
 * client's mistakes, 409 an id clash, and 429 is Kanban's back-pressure working as designed (the lane-full
 * alert watches it). Undefined for an answer that does not count.
 */
export function countsAsAvailable(status: number): boolean | undefined {
  if (status >= 500) return false;
  if (status >= 200 && status < 300) return true;
  return undefined;
}

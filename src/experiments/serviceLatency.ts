/**
 * Per-service latency from the `downstream_latency_seconds` histogram of GET /metrics: two scrapes, and the
 * calls that finished between them. prom-client writes the exposition but has no parser, and a parser library
 * for three series of one histogram is more than it is worth: the few lines below read exactly that shape.
 */

/** One service's histogram at one scrape, every outcome summed: cumulative counts per upper bound (s). */
export interface HistogramReading {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

export type LatencyScrape = Map<string, HistogramReading>;

/** Calls that finished between two scrapes: how many, mean and p90 (from the buckets) in ms. */
export interface LatencyWindow {
  calls: number;
  meanMs: number | null;
  p90Ms: number | null;
}

const LINE = /^downstream_latency_seconds_(bucket|sum|count)\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Reads `downstream_latency_seconds` from an exposition text, per `service` label. */
export function parseServiceLatency(text: string): LatencyScrape {
  const scrape: LatencyScrape = new Map();
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, part, labelText = '', valueText = ''] = match;
    const labels = new Map([...labelText.matchAll(LABEL)].map((m) => [m[1] ?? '', m[2] ?? '']));
    const service = labels.get('service');
    const value = Number(valueText);
    if (!service || !Number.isFinite(value)) continue;
    let reading = scrape.get(service);
    if (!reading) scrape.set(service, (reading = { buckets: new Map(), sum: 0, count: 0 }));
    if (part === 'sum') reading.sum += value;
    else if (part === 'count') reading.count += value;
    else {
      const le = labels.get('le') === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.get('le'));
      reading.buckets.set(le, (reading.buckets.get(le) ?? 0) + value);
    }
  }
  return scrape;
}

/**
 * The calls of `service` that finished between scrapes `from` and `to`. The p90 is interpolated linearly
 * inside its bucket, as Prometheus's histogram_quantile does, and capped at the last finite bound.
 */
export function latencyBetween(from: LatencyScrape, to: LatencyScrape, service: string): LatencyWindow {
  const a = from.get(service);
  const b = to.get(service);
  const calls = (b?.count ?? 0) - (a?.count ?? 0);
  if (!b || calls <= 0) return { calls: Math.max(0, calls), meanMs: null, p90Ms: null };
  const meanMs = ((b.sum - (a?.sum ?? 0)) / calls) * 1000;
  const bounds = [...b.buckets.keys()].sort((x, y) => x - y);
  const rank = 0.9 * calls;
  let lower = 0;
  let below = 0;
  let p90Ms: number | null = null;
  for (const le of bounds) {
    const cumulative = (b.buckets.get(le) ?? 0) - (a?.buckets.get(le) ?? 0);
    if (cumulative >= rank) {
      const upper = Number.isFinite(le) ? le : lower;
      const inBucket = cumulative - below;
      const share = inBucket > 0 ? (rank - below) / inBucket : 1;
      p90Ms = (lower + (upper - lower) * share) * 1000;
      break;
    }
    lower = le;
    below = cumulative;
  }
  return { calls, meanMs, p90Ms };
}

/**
 * Whether calls got clearly slower: a mean at least half again the mean before, and at least `minMs` more. Not
 * twice: a fault's calls end at the callers' timeout, and on a busy machine the mean before is already a good
 * part of that (a 1 ms service read 32–80 ms before the fault and 170–190 ms during it).
 */
export function slowedDown(before: LatencyWindow, during: LatencyWindow, minMs = 10): boolean | null {
  if (before.meanMs === null || during.meanMs === null) return null;
  const rise = during.meanMs - before.meanMs;
  return rise >= 0.5 * before.meanMs && rise >= minMs;
}

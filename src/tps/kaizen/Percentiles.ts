import type { Histogram } from 'hdr-histogram-js';
// The package's root also loads its WebAssembly build (pako, the AssemblyScript loader, the binary in base64),
// which the system never runs: about 5 MB of RSS in every process. Only the JavaScript histograms are loaded.
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';
import type { Clock } from '../clock.js';

/** Latency percentiles in milliseconds; all zero when nothing was recorded. */
export interface PercentileSnapshot {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface PercentilesOptions {
  /** How far back `snapshot()` looks. Default 60 000 ms. */
  windowMs?: number;
  /** Interval histograms the window is cut into; the window forgets one interval at a time. Default 6. */
  intervals?: number;
}

/** One hour in microseconds: values above it are recorded as one hour. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** What the package's `build()` makes by default: 32-bit counters that grow their range when they must. */
const Int32Histogram = constructorFromBucketSize(32);

/**
 * An HDR histogram of microseconds from 1 µs to 1 h. `digits`: significant digits kept, 3 by default (within
 * 0.1 %), as the load generator measures. Each digit costs memory: at 3 digits a histogram holds 23,552
 * counters (92 KB), at 2 digits 3,328 (13 KB).
 */
export function createLatencyHistogram(digits: 2 | 3 = 3): Histogram {
  const histogram = new Int32Histogram(1, HIGHEST_TRACKABLE_US, digits);
  histogram.autoResize = true;
  return histogram;
}

/**
 * The system's own windows keep 2 significant digits (within 1 %), finer than any dashboard shows: it runs
 * 7 histograms (six slices and the merged one) for each of 7 measures, which at 3 digits would hold 4.6 MB of
 * counters, and at 2 hold 0.7 MB.
 */
const WINDOW_DIGITS = 2;
const createWindowHistogram = (): Histogram => createLatencyHistogram(WINDOW_DIGITS);

export const toMicroseconds = (ms: number): number =>
  Number.isFinite(ms)
    ? Math.min(HIGHEST_TRACKABLE_US, Math.max(0, Math.round(ms * 1000)))
    : HIGHEST_TRACKABLE_US;

export const EMPTY_SNAPSHOT: Readonly<PercentileSnapshot> = Object.freeze({
  count: 0,
  p50: 0,
  p90: 0,
  p99: 0,
  p999: 0,
  max: 0,
  mean: 0,
});

/** Reads a microsecond histogram as a millisecond snapshot. */
export function summarize(histogram: Histogram): PercentileSnapshot {
  const count = histogram.totalCount;
  if (count === 0) return { ...EMPTY_SNAPSHOT };
  const ms = (us: number): number => us / 1000;
  return {
    count,
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
    mean: ms(histogram.mean),
  };
}

/**
 * Latency percentiles over a sliding window (the last minute by default), within 1 %.
 * The window is a ring of interval histograms keyed by the clock: a record lands in the interval of its
 * time, and a snapshot merges the intervals still inside the window, so it covers between
 * `windowMs - windowMs / intervals` and `windowMs` of history.
 */
export class Percentiles {
  private readonly intervalMs: number;
  private readonly ring: Histogram[];
  /** Which interval (time / intervalMs) each ring slot holds; -Infinity when it has never held one. */
  private readonly slotInterval: number[];
  private readonly merged = createWindowHistogram();

  constructor(
    private readonly clock: Clock,
    options: PercentilesOptions = {},
  ) {
    const windowMs = options.windowMs ?? 60_000;
    const intervals = options.intervals ?? 6;
    if (!Number.isInteger(intervals) || intervals < 1)
      throw new RangeError(`intervals must be a whole number ≥ 1, got ${intervals}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
    this.intervalMs = windowMs / intervals;
    this.ring = Array.from({ length: intervals }, createWindowHistogram);
    this.slotInterval = Array.from({ length: intervals }, () => Number.NEGATIVE_INFINITY);
  }

  record(ms: number): void {
    const value = toMicroseconds(ms);
    this.currentSlot().recordValue(value);
  }

  /** Percentiles over the sliding window. */
  snapshot(): PercentileSnapshot {
    const now = this.intervalOf(this.clock.now());
    this.merged.reset();
    this.ring.forEach((histogram, slot) => {
      const interval = this.slotInterval[slot] ?? Number.NEGATIVE_INFINITY;
      if (interval > now - this.ring.length && interval <= now) this.merged.add(histogram);
    });
    return summarize(this.merged);
  }

  reset(): void {
    for (const histogram of this.ring) histogram.reset();
    this.slotInterval.fill(Number.NEGATIVE_INFINITY);
  }

  private currentSlot(): Histogram {
    const interval = this.intervalOf(this.clock.now());
    const slot = ((interval % this.ring.length) + this.ring.length) % this.ring.length;
    const histogram = this.ring[slot] as Histogram;
    if (this.slotInterval[slot] !== interval) {
      histogram.reset();
      this.slotInterval[slot] = interval;
    }
    return histogram;
  }

  private intervalOf(time: number): number {
    return Math.floor(time / this.intervalMs);
  }
}

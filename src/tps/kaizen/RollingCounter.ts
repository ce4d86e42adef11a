import type { Clock } from '../clock.js';

export interface RollingCounterOptions {
  /** How far back sums look. Default 60 000 ms. */
  windowMs?: number;
  /** Buckets the window is cut into; the window forgets one bucket at a time. Default 60. */
  buckets?: number;
}

interface Series {
  counts: Float64Array;
  /** Which bucket (time / bucketMs) each slot holds; NaN when it has never held one. */
  bucketOf: Float64Array;
}

/**
 * Counts per key over a sliding window of buckets driven by the clock (the last minute in 1 s buckets by
 * default). A count lands in the bucket of its time; sums take the buckets still inside the window.
 */
export class RollingCounter<Key extends string = string> {
  private readonly bucketMs: number;
  private readonly bucketCount: number;
  private readonly series = new Map<Key, Series>();
  private readonly createdAt: number;

  constructor(
    private readonly clock: Clock,
    options: RollingCounterOptions = {},
  ) {
    const windowMs = options.windowMs ?? 60_000;
    this.bucketCount = options.buckets ?? 60;
    if (!Number.isInteger(this.bucketCount) || this.bucketCount < 1) {
      throw new RangeError(`buckets must be a whole number ≥ 1, got ${this.bucketCount}`);
    }
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
    this.bucketMs = windowMs / this.bucketCount;
    this.createdAt = clock.now();
  }

  add(key: Key, n = 1): void {
    const bucket = this.bucketOf(this.clock.now());
    const series = this.seriesOf(key);
    const slot = this.slotOf(bucket);
    if (series.bucketOf[slot] !== bucket) {
      series.counts[slot] = 0;
      series.bucketOf[slot] = bucket;
    }
    series.counts[slot] = (series.counts[slot] ?? 0) + n;
  }

  /**
   * The count for `key` inside the window, or inside its last `withinMs` only (whole buckets: the current
   * one and those before it, as many as `withinMs` covers, never more than the window).
   */
  sum(key: Key, withinMs?: number): number {
    const series = this.series.get(key);
    if (!series) return 0;
    const now = this.bucketOf(this.clock.now());
    const span =
      withinMs === undefined
        ? this.bucketCount
        : Math.min(this.bucketCount, Math.max(1, Math.ceil(withinMs / this.bucketMs)));
    let total = 0;
    for (let slot = 0; slot < this.bucketCount; slot++) {
      const bucket = series.bucketOf[slot] ?? Number.NaN;
      if (bucket > now - span && bucket <= now) total += series.counts[slot] ?? 0;
    }
    return total;
  }

  /**
   * Per second over the time the window covers: the full window once the counter is older than it,
   * the counter's age before that (at least one bucket), so a young counter does not read low.
   */
  rate(key: Key): number {
    return this.sum(key) / (this.coveredMs() / 1000);
  }

  /** sum(numerator keys) / sum(denominator keys) over the window; undefined when the denominator is 0. */
  ratio(numerator: Key | readonly Key[], denominator: Key | readonly Key[]): number | undefined {
    const total = (keys: Key | readonly Key[]): number => {
      const list: readonly Key[] = typeof keys === 'string' ? [keys] : keys;
      return list.reduce((sum, key) => sum + this.sum(key), 0);
    };
    const den = total(denominator);
    return den === 0 ? undefined : total(numerator) / den;
  }

  /** Every key ever counted, with its sum inside the window. */
  sums(): Map<Key, number> {
    return new Map([...this.series.keys()].map((key) => [key, this.sum(key)]));
  }

  private coveredMs(): number {
    const now = this.clock.now();
    const windowStart = (this.bucketOf(now) - this.bucketCount + 1) * this.bucketMs;
    return Math.max(this.bucketMs, now - Math.max(windowStart, this.createdAt));
  }

  private seriesOf(key: Key): Series {
    let series = this.series.get(key);
    if (!series) {
      series = {
        counts: new Float64Array(this.bucketCount),
        bucketOf: new Float64Array(this.bucketCount).fill(Number.NaN),
      };
      this.series.set(key, series);
    }
    return series;
  }

  private bucketOf(time: number): number {
    return Math.floor(time / this.bucketMs);
  }

  private slotOf(bucket: number): number {
    return ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount;
  }
}

import type { Clock } from '../clock.js';

/**
 * Which new traces a bounded trace buffer takes in. While fewer than `perSecond` traces arrive a second, every
 * one; above that, a share of them, chosen by trace id (so every span of a trace gets the same answer, as ratio
 * sampling by trace id does) and set each second from the rate of the second before. The buffer then holds a
 * sample spread over `capacity / perSecond` seconds or more, instead of only the last fraction of a second, and
 * under load it stops turning over every span it records into garbage for the old generation.
 */
export class TraceAdmission {
  private windowStart: number;
  private arrivals = 0;
  private share = 1;

  constructor(
    readonly perSecond: number,
    private readonly clock: Clock,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    this.windowStart = clock.now();
  }

  /** Counts a new trace: once per trace, by the buffer that sees where it begins. */
  arrived(): void {
    this.roll();
    this.arrivals += 1;
  }

  /** Whether to keep a trace the buffer does not hold yet: the same answer for every span of it. */
  admit(traceId: string): boolean {
    this.roll();
    return this.keeps(traceId);
  }

  /** `arrived` and `admit` at once, for a trace decided where it begins (one reading of the clock). */
  admitNew(traceId: string): boolean {
    this.roll();
    this.arrivals += 1;
    return this.keeps(traceId);
  }

  private keeps(traceId: string): boolean {
    return this.share >= 1 || traceIdFraction(traceId) < this.share;
  }

  /** A new window each second; the share for it comes from the rate of the window before. */
  private roll(): void {
    const now = this.clock.now();
    const elapsed = now - this.windowStart;
    if (elapsed < 1000) return;
    const rate = (this.arrivals * 1000) / elapsed;
    this.share = rate <= this.perSecond ? 1 : this.perSecond / rate;
    this.windowStart = now;
    this.arrivals = 0;
  }

  /** The share of new traces kept now: 1 below the rate, less above it. */
  get currentShare(): number {
    return this.share;
  }
}

/** The low 32 bits of a (random) trace id as a fraction in [0, 1); a malformed id counts as 0, so it is kept. */
export const traceIdFraction = (traceId: string): number => {
  const low = Number.parseInt(traceId.slice(-8), 16);
  return Number.isNaN(low) ? 0 : low / 0x1_0000_0000;
};

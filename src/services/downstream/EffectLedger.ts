/**
 * What "the database" (service A) has applied, by signal id. Delivery is at least once, so the same signal can
 * reach A twice (a worker died after the call and before its ack); A applies it once and says so the second
 * time. Bounded: the oldest ids are forgotten first, far beyond any redelivery window.
 */
export class EffectLedger {
  private readonly applied = new Set<string>();
  private duplicates = 0;

  constructor(private readonly capacity = 200_000) {}

  /** Records the effect; false when this id was applied already. */
  apply(id: string): boolean {
    if (this.applied.has(id)) {
      this.duplicates++;
      return false;
    }
    this.applied.add(id);
    if (this.applied.size > this.capacity) {
      const oldest = this.applied.values().next().value;
      if (oldest !== undefined) this.applied.delete(oldest);
    }
    return true;
  }

  has(id: string): boolean {
    return this.applied.has(id);
  }

  counts(): { applied: number; duplicates: number } {
    return { applied: this.applied.size, duplicates: this.duplicates };
  }
}

import type { SignalRecord } from '../domain/signal.js';
import { StoreUnavailableError } from '../errors/index.js';
import { isBreakerOpenError, type Breaker } from '../tps/jidoka/index.js';
import { refuseUnserialisable } from '../queue/serialiseOrRefuse.js';
import type { StatusStore } from './StatusStore.js';

/**
 * Jidoka for the database: every call goes through its breaker, and any failure surfaces as
 * `StoreUnavailableError`, so the API answers 503 and workers put the signal back instead of crashing.
 */
export class GuardedStatusStore implements StatusStore {
  constructor(
    private readonly store: StatusStore,
    private readonly breaker: Breaker,
  ) {}

  /** A payload that cannot be serialised is refused before the breaker: it is not the database failing. */
  create(record: SignalRecord) {
    refuseUnserialisable(record);
    return this.guard(() => this.store.create(record));
  }
  get(id: string) {
    return this.guard(() => this.store.get(id));
  }
  update(id: string, patch: Partial<Omit<SignalRecord, 'id'>>) {
    if (patch.payload !== undefined) refuseUnserialisable({ id, payload: patch.payload });
    return this.guard(() => this.store.update(id, patch));
  }
  delete(id: string) {
    return this.guard(() => this.store.delete(id));
  }
  size() {
    return this.guard(() => this.store.size());
  }
  close() {
    return this.store.close();
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(call);
    } catch (error) {
      const why = isBreakerOpenError(error)
        ? 'its breaker is open'
        : error instanceof Error
          ? error.message
          : String(error);
      throw new StoreUnavailableError(`the status store is unavailable: ${why}`, { cause: error });
    }
  }
}

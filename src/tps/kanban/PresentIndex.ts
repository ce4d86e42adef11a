import { messageKey, type QueueMessage } from '../../domain/signal.js';

type Identified = Pick<QueueMessage, 'id' | 'generation'>;

/**
 * The messages a lane holds, waiting or in flight, by (id, generation): what the lane dedupes on. Nearly always
 * a lane holds one generation of an id, so an entry is found by its id alone; a second generation of an id the
 * lane already holds (a retry published while the first is still in flight) is kept under both. Keying every
 * entry by both would keep a key string alive for each waiting message: 56 B of the 775 B a waiting signal
 * cost the embedded system (docs/performance.md).
 */
export class PresentIndex<Entry extends { readonly message: Identified }> {
  private readonly byId = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();

  has(message: Identified): boolean {
    if (this.byId.get(message.id)?.message.generation === message.generation) return true;
    return this.byKey.size > 0 && this.byKey.has(messageKey(message));
  }

  /** Adds an entry whose (id, generation) the index does not hold (ask `has` first). */
  add(entry: Entry): void {
    if (this.byId.has(entry.message.id)) this.byKey.set(messageKey(entry.message), entry);
    else this.byId.set(entry.message.id, entry);
  }

  delete(entry: Entry): void {
    if (this.byId.get(entry.message.id) === entry) this.byId.delete(entry.message.id);
    else this.byKey.delete(messageKey(entry.message));
  }

  get size(): number {
    return this.byId.size + this.byKey.size;
  }
}

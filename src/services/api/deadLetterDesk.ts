import type { DeadLetter, WorkQueue } from '../../queue/WorkQueue.js';
import type { StatusStore } from '../../store/StatusStore.js';

/** Listing and replaying the dead-letter lane, keeping the status store in step with it. */
export function createDeadLetterDesk(queue: WorkQueue, store: StatusStore) {
  return {
    list: (limit: number) => queue.listDeadLetters(limit),

    /**
     * The status goes back to queued before the message goes back to its lane, so a worker that takes it at
     * once is not overwritten; a signal whose status is no longer dead-lettered (retried since) is left alone.
     */
    async replay(ids?: readonly string[]): Promise<DeadLetter[]> {
      const wanted = new Set(ids);
      const all = await queue.listDeadLetters();
      const chosen: DeadLetter[] = [];
      for (const deadLetter of all) {
        const { id, generation } = deadLetter.message;
        if (ids !== undefined && !wanted.has(id)) continue;
        if ((await store.get(id))?.status !== 'dead_lettered') continue;
        await store.update(id, {
          status: 'queued',
          attempts: 0,
          error: undefined,
          started_at: null,
          completed_at: null,
          generation: generation + 1,
        });
        chosen.push(deadLetter);
      }
      const moved = await queue.replayDeadLetters(chosen.map((deadLetter) => deadLetter.message.id));
      const movedIds = new Set(moved.map((deadLetter) => deadLetter.message.id));
      for (const deadLetter of chosen) {
        if (movedIds.has(deadLetter.message.id)) continue;
        // It did not fit in its lane: it stays dead-lettered, and so does its status.
        await store.update(deadLetter.message.id, {
          status: 'dead_lettered',
          generation: deadLetter.message.generation,
          error: deadLetter.reason,
        });
      }
      return moved;
    },
  };
}

import type { DeadLetter } from '../queue/WorkQueue.js';
import type { StatusStore } from '../store/StatusStore.js';

/** A signal moved to the dead-letter lane gets that status, keeping the cause of its last failure. */
export async function recordDeadLetter(store: StatusStore, deadLetter: DeadLetter): Promise<void> {
  const lastError = (await store.get(deadLetter.message.id))?.error;
  await store.update(deadLetter.message.id, {
    status: 'dead_lettered',
    completed_at: new Date(deadLetter.at).toISOString(),
    error: lastError ? `${lastError} (${deadLetter.reason})` : deadLetter.reason,
  });
}

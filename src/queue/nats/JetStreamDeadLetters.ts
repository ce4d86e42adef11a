import type { JetStreamClient, JetStreamManager, JsMsg, StoredMsg } from '@nats-io/jetstream';
import type { Msg } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { EventEmitter, type Disposable } from '../../domain/disposable.js';
import { messageKey, type LaneName, type QueueMessage } from '../../domain/signal.js';
import { isQueueFullError } from '../../errors/queueErrors.js';
import { messageLogTraceFields } from '../../telemetry/traceContext.js';
import { deadLetterRecord, type DeadLetterCause } from '../../tps/kanban/deadLetter.js';
import type { DeadLetter, PublishReceipt, WorkQueueLimits } from '../WorkQueue.js';
import type { JetStreamNames } from './jetStreamTopology.js';
import {
  MESSAGE_NOT_FOUND,
  NO_MESSAGE_FOUND,
  isApiError,
  mapLimit,
  withTimeout,
  type Lane,
} from './jetStreamSupport.js';
import {
  deadLetterHeaders,
  decodeDeadLetter,
  readQueueMessage,
  type StoredDeadLetter,
} from './messageFormat.js';
import type { NatsConnectionStatus } from './NatsConnectionStatus.js';

/** Bounds the parallel requests that read the dead-letter stream. */
const DEAD_LETTER_READS = 16;

export interface DeadLetterMove {
  message: QueueMessage;
  /** The body as it is stored, so the dead letter keeps exactly what was published. */
  data: Uint8Array;
  /** Sequence of the work message in the lane's stream. */
  seq: number;
  attempts: number;
  cause: DeadLetterCause;
  /** The live delivery, when this process holds it: it is terminated so the consumer forgets it. */
  live?: JsMsg;
}

export interface JetStreamDeadLettersOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: JetStreamNames;
  readonly limits: WorkQueueLimits;
  readonly lanes: ReadonlyMap<LaneName, Lane>;
  readonly requestTimeoutMs: number;
  readonly status: NatsConnectionStatus;
  readonly log: Logger;
  /** Sends an ack-protocol message and waits until the server has read it. */
  send(write: () => void): Promise<void>;
  /** Puts a replayed message back in its lane, under the lane's depth limit. */
  publish(message: QueueMessage): Promise<PublishReceipt>;
}

/**
 * The dead-letter stream of the lanes this queue serves: moving a message there (after its last attempt, or
 * on the server's max-deliveries advisory), counting, listing and replaying dead letters. The stream keeps
 * one subject per signal id and dedupes each move, so processes sharing the lanes agree on what is dead.
 */
export class JetStreamDeadLetters {
  private readonly emitter = new EventEmitter<DeadLetter>();
  /** Moves under way, so `close` can let them finish. */
  private readonly moves = new Set<Promise<unknown>>();

  constructor(private readonly options: JetStreamDeadLettersOptions) {}

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.emitter.addListener(listener);

  /** Moves the message, tracked so `settle` waits for it. */
  move(lane: Lane, move: DeadLetterMove): Promise<void> {
    return this.track(this.moveToDeadLetters(lane, move));
  }

  /** Handles one max-deliveries advisory of `lane`, tracked so `settle` waits for it. */
  onMaxDeliveriesAdvisory(lane: Lane, msg: Msg): Promise<void> {
    return this.track(this.onMaxDeliveries(lane, msg));
  }

  /** Waits (at most one request timeout) for the moves under way. */
  async settle(): Promise<void> {
    await withTimeout(
      Promise.allSettled([...this.moves]),
      this.options.requestTimeoutMs,
      'dead-letter moves',
    ).catch(() => undefined);
  }

  /** Newest first; one entry per signal id. */
  async list(limit: number): Promise<DeadLetter[]> {
    const stored = await this.read(await this.subjects());
    const newest = new Map<string, StoredDeadLetter>();
    for (const entry of stored) {
      const seen = newest.get(entry.deadLetter.message.id);
      if (
        !seen ||
        entry.deadLetter.message.generation > seen.deadLetter.message.generation ||
        (entry.deadLetter.message.generation === seen.deadLetter.message.generation && entry.seq > seen.seq)
      ) {
        newest.set(entry.deadLetter.message.id, entry);
      }
    }
    return [...newest.values()]
      .sort((a, b) => b.deadLetter.at - a.deadLetter.at || b.seq - a.seq)
      .slice(0, limit)
      .map((entry) => entry.deadLetter);
  }

  /** See `JetStreamWorkQueue.replayDeadLetters`. */
  async replay(ids?: readonly string[]): Promise<DeadLetter[]> {
    const { names, lanes, status } = this.options;
    let entries: StoredDeadLetter[];
    try {
      const subjects = ids
        ? [...new Set(ids)].flatMap((id) =>
            [...lanes.keys()].map((lane) => names.deadLetterSubject(lane, id)),
          )
        : await this.subjects();
      entries = await this.read(subjects);
    } catch (error) {
      throw status.unavailable('reading the dead letters', error);
    }
    const moved: DeadLetter[] = [];
    for (const { deadLetter, seq } of entries.sort((a, b) => a.seq - b.seq)) {
      try {
        await this.options.publish({ ...deadLetter.message, generation: deadLetter.message.generation + 1 });
      } catch (error) {
        if (isQueueFullError(error)) continue;
        throw error;
      }
      try {
        await this.deleteMessage(names.deadLetterStream, seq);
      } catch (error) {
        throw status.unavailable('removing a replayed dead letter', error);
      }
      moved.push(deadLetter);
    }
    return moved;
  }

  /** Dead letters per lane name. */
  async counts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const subject of await this.subjects()) {
      const lane = this.options.names.parseDeadLetterSubject(subject)?.lane;
      if (lane !== undefined) counts.set(lane, (counts.get(lane) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Stores the message in the dead-letter stream, then removes it from the lane. The dead-letter stream
   * dedupes by work message, so when two processes move the same message only the first fires `onDeadLetter`.
   */
  private async moveToDeadLetters(lane: Lane, move: DeadLetterMove): Promise<void> {
    const { js, names, requestTimeoutMs, log } = this.options;
    const deadLetter = deadLetterRecord(move.message, move.attempts, move.cause, Date.now());
    const source = `${lane.stream}:${move.seq}`;
    const ack = await js.publish(names.deadLetterSubject(lane.name, move.message.id), move.data, {
      msgID: `${messageKey(move.message)}@${source}`,
      headers: deadLetterHeaders(deadLetter, source),
      timeout: requestTimeoutMs,
    });
    if (move.live) {
      const live = move.live;
      await this.options.send(() => live.term());
    }
    await this.deleteMessage(lane.stream, move.seq);
    if (ack.duplicate) return;
    log.warn(
      {
        lane: lane.name,
        id: move.message.id,
        ...messageLogTraceFields(move.message),
        attempts: move.attempts,
      },
      'dead-lettered',
    );
    this.emitter.emit(deadLetter);
  }

  /** The server gave up on a message whose last lease ran out where no process was watching it. */
  private async onMaxDeliveries(lane: Lane, msg: Msg): Promise<void> {
    if (this.options.status.closed) return;
    const advisory = msg.json<{ stream_seq?: unknown; deliveries?: unknown }>();
    if (typeof advisory.stream_seq !== 'number') return;
    const stored = await this.options.jsm.streams.getMessage(lane.stream, { seq: advisory.stream_seq });
    // Already moved (by this process or another).
    if (!stored) return;
    const message = readQueueMessage(stored.data, stored.header);
    if (!message) {
      this.options.log.error({ lane: lane.name, seq: stored.seq }, 'not a queue message; removed');
      await this.deleteMessage(lane.stream, stored.seq);
      return;
    }
    const attempts =
      typeof advisory.deliveries === 'number' ? advisory.deliveries : this.options.limits.maxDeliver;
    await this.moveToDeadLetters(lane, {
      message,
      data: stored.data,
      seq: stored.seq,
      attempts,
      cause: 'lease_expired',
    });
  }

  /** Deletes one message; one that is already gone is fine. */
  private async deleteMessage(stream: string, seq: number): Promise<void> {
    try {
      await this.options.jsm.streams.deleteMessage(stream, seq, false);
    } catch (error) {
      if (!isApiError(error, MESSAGE_NOT_FOUND, NO_MESSAGE_FOUND)) throw error;
    }
  }

  /** The dead-letter subjects (one per signal id) of the lanes this queue serves. */
  private async subjects(): Promise<string[]> {
    const { jsm, names, lanes } = this.options;
    const info = await jsm.streams.info(names.deadLetterStream, {
      subjects_filter: names.deadLetterSubjects,
    });
    return Object.keys(info.state.subjects ?? {}).filter((subject) => {
      const parsed = names.parseDeadLetterSubject(subject);
      return parsed !== undefined && lanes.has(parsed.lane as LaneName);
    });
  }

  private async read(subjects: readonly string[]): Promise<StoredDeadLetter[]> {
    const { jsm, names } = this.options;
    const stored = await mapLimit(subjects, DEAD_LETTER_READS, (subject) =>
      jsm.streams.getMessage(names.deadLetterStream, { last_by_subj: subject }),
    );
    return stored
      .filter((msg): msg is StoredMsg => msg !== null)
      .map(decodeDeadLetter)
      .filter((entry): entry is StoredDeadLetter => entry !== undefined);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.moves.add(work);
    const done = (): void => void this.moves.delete(work);
    void work.then(done, done);
    return work;
  }
}

import type { Channel, ConsumeMessage, GetMessage, Message } from 'amqplib';
import type { Logger } from 'pino';
import { EventEmitter, type Disposable } from '../../domain/disposable.js';
import { messageKey, type QueueMessage } from '../../domain/signal.js';
import { QueueUnavailableError, isQueueFullError } from '../../errors/queueErrors.js';
import { deadLetterRecord, type DeadLetterCause } from '../../tps/kanban/deadLetter.js';
import type { DeadLetter, WorkQueueLimits } from '../WorkQueue.js';
import { decodeMessage, deliveryCount, lastDeath } from './amqpMessage.js';
import type { RabbitMqConnection, ReadySession, Session } from './RabbitMqConnection.js';
import { describe, ignore, type LaneState } from './lanes.js';
import type { RabbitMqTopology } from './topology.js';

/** At most this many dead letters are read per lane to list or replay them. */
const MAX_DEAD_LETTER_SCAN = 10_000;
/** Why this process's last delivery of a message came back, kept for the dead letters it causes. */
const MAX_HINTS = 1_000;

interface Letter {
  readonly raw: GetMessage;
  readonly deadLetter: DeadLetter;
}

interface Hint {
  cause: DeadLetterCause;
  attempts: number;
  at: number;
}

/** Dead letters by signal id, oldest first (the dead-letter queue's order). */
const byId = (letters: readonly Letter[]): Map<string, Letter[]> => {
  const groups = new Map<string, Letter[]>();
  for (const letter of letters) {
    const id = letter.deadLetter.message.id;
    const group = groups.get(id);
    if (group) group.push(letter);
    else groups.set(id, [letter]);
  }
  return groups;
};

/** As in the memory queue, a newer dead letter of a signal id stands for the older ones. */
const newest = (copies: readonly Letter[]): Letter => copies[copies.length - 1] as Letter;

/**
 * The dead-letter side: the tap that tells every process of every dead letter, and the listing and replay that
 * read the per-lane dead-letter queues, which stay the one record every process shares.
 */
export class DeadLetters {
  private readonly emitter = new EventEmitter<DeadLetter>();
  private readonly hints = new Map<string, Hint>();

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly topology: RabbitMqTopology,
    private readonly limits: WorkQueueLimits,
    private readonly logger: Logger,
    /** The dead letter's key left its lane: this process may publish it again. */
    private readonly onLeftLane: (key: string) => void,
  ) {}

  readonly onDeadLetter = (listener: (deadLetter: DeadLetter) => void): Disposable =>
    this.emitter.addListener(listener);

  /** This process gives the delivery back for the last time: the dead letter it becomes can say why. */
  hint(key: string, cause: DeadLetterCause, attempts: number): void {
    this.hints.set(key, { cause, attempts, at: Date.now() });
    if (this.hints.size > MAX_HINTS) this.hints.delete(this.hints.keys().next().value as string);
  }

  /**
   * onDeadLetter: a private, exclusive queue bound to the dead-letter exchange gets a copy of every dead letter.
   * Consuming the dead-letter queue itself would either remove what it holds (ack) or pin it unacked to one
   * process; the tap lets every process see every dead letter while the DLQ keeps them.
   */
  async tap(session: Session, lanes: Iterable<LaneState>): Promise<void> {
    const tap = await this.connection.openChannel(session, 'dead-letter tap', false);
    const { queue } = await tap.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const lane of lanes) {
      await tap.bindQueue(queue, this.topology.deadLetterExchange, lane.name);
    }
    await tap.consume(queue, (raw) => raw && this.onDeadLettered(raw), { noAck: true });
  }

  /**
   * Newest first, across lanes. Peeks each dead-letter queue: reads its messages without acking them, then
   * gives them all back (a classic queue puts them back where they were). Chosen over an in-memory index fed
   * by a consumer because RabbitMQ splits a queue's messages among its consumers: with an API and two workers
   * each index would hold a third, and the DLQ itself stays the one record every process reads.
   */
  async list(session: ReadySession, lanes: Iterable<LaneState>, limit: number): Promise<DeadLetter[]> {
    const all: DeadLetter[] = [];
    for (const lane of lanes) {
      await this.withDeadLetters(session, lane, (letters) => {
        for (const copies of byId(letters).values()) all.push(newest(copies).deadLetter);
      });
    }
    // Ties (RabbitMQ stamps dead letters to the second) keep the newest first too.
    return all
      .reverse()
      .sort((a, b) => b.at - a.at)
      .slice(0, Math.max(0, limit));
  }

  /**
   * Publishes each dead letter (all, or those whose signal id is in `ids`) to its lane as generation + 1, and
   * only after the broker confirmed that, removes it from the dead-letter queue. Those that do not fit under
   * maxDepth stay dead-lettered. An id dead-lettered more than once goes back once, as its newest copy.
   */
  async replay(
    session: ReadySession,
    lanes: Iterable<LaneState>,
    ids: readonly string[] | undefined,
    publish: (message: QueueMessage) => Promise<unknown>,
  ): Promise<DeadLetter[]> {
    const wanted = ids ? new Set(ids) : undefined;
    const moved: DeadLetter[] = [];
    for (const lane of lanes) {
      await this.withDeadLetters(session, lane, async (letters, channel) => {
        for (const [id, copies] of byId(letters)) {
          if (wanted && !wanted.has(id)) continue;
          const { deadLetter } = newest(copies);
          try {
            await publish({ ...deadLetter.message, generation: deadLetter.message.generation + 1 });
          } catch (error) {
            if (isQueueFullError(error)) continue;
            throw error;
          }
          for (const copy of copies) channel.ack(copy.raw);
          moved.push(deadLetter);
        }
      });
    }
    return moved;
  }

  private onDeadLettered(raw: ConsumeMessage): void {
    const deadLetter = this.toDeadLetter(raw);
    if (!deadLetter) return;
    this.onLeftLane(messageKey(deadLetter.message));
    this.logger.info(
      { id: deadLetter.message.id, lane: deadLetter.message.lane, attempts: deadLetter.attempts },
      'dead-lettered',
    );
    this.emitter.emit(deadLetter);
  }

  /**
   * The broker records why (`x-death`) but resets `x-delivery-count` when it dead-letters, so the attempts of
   * a `delivery_limit` death are MAX_DELIVER (what the queue's limit is set to). When this process gave the
   * last delivery back, it also knows whether that was a nak or a lease running out.
   */
  private toDeadLetter(raw: Message): DeadLetter | undefined {
    const message = decodeMessage(raw);
    if (!message) {
      this.logger.warn({ messageId: raw.properties.messageId as unknown }, 'unreadable dead letter skipped');
      return undefined;
    }
    const death = lastDeath(raw);
    const hint = this.hints.get(messageKey(message));
    const at = hint?.at ?? death?.at ?? Date.now();
    if (hint) return deadLetterRecord(message, hint.attempts, hint.cause, at);
    const reason = death?.reason ?? 'unknown';
    if (reason === 'delivery_limit') {
      const attempts = this.limits.maxDeliver;
      const times = `${attempts} time${attempts === 1 ? '' : 's'}`;
      return {
        message,
        attempts,
        reason: `delivered ${times} (the maximum); RabbitMQ dead-lettered it when the last one came back`,
        at,
      };
    }
    return { message, attempts: deliveryCount(raw) + 1, reason: `RabbitMQ dead-lettered it (${reason})`, at };
  }

  /** Reads a lane's dead letters (up to MAX_DEAD_LETTER_SCAN) on a channel of their own; what `work` does not ack goes back. */
  private async withDeadLetters(
    session: ReadySession,
    lane: LaneState,
    work: (letters: Letter[], channel: Channel) => void | Promise<void>,
  ): Promise<void> {
    let channel: Channel;
    try {
      channel = await session.model.createChannel();
    } catch (error) {
      throw new QueueUnavailableError(`cannot read the dead letters: ${describe(error)}`, { cause: error });
    }
    channel.on('error', (err: Error) => this.logger.debug({ err }, 'dead-letter channel error'));
    try {
      const { messageCount } = await channel.checkQueue(lane.deadLetterQueue);
      const letters: Letter[] = [];
      for (let i = 0; i < Math.min(messageCount, MAX_DEAD_LETTER_SCAN); i++) {
        const raw = await channel.get(lane.deadLetterQueue, { noAck: false });
        if (raw === false) break;
        const deadLetter = this.toDeadLetter(raw);
        if (deadLetter) letters.push({ raw, deadLetter });
      }
      await work(letters, channel);
    } catch (error) {
      if (isQueueFullError(error) || error instanceof QueueUnavailableError) throw error;
      throw new QueueUnavailableError(`cannot read the dead letters: ${describe(error)}`, { cause: error });
    } finally {
      try {
        channel.nackAll(true);
      } catch {
        // The channel is gone, and with it every message it held: back in the queue already.
      }
      await channel.close().catch(ignore);
    }
  }
}

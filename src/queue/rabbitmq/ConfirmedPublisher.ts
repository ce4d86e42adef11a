import { messageKey, type QueueMessage } from '../../domain/signal.js';
import { QueueFullError, QueueUnavailableError } from '../../errors/queueErrors.js';
import { withoutStack } from '../../errors/withoutStack.js';
import type { PublishReceipt, WorkQueueLimits } from '../WorkQueue.js';
import { serialiseOrRefuse } from '../serialiseOrRefuse.js';
import { encodeMessage, type EncodedMessage } from './amqpMessage.js';
import type { RabbitMqConnection, ReadySession } from './RabbitMqConnection.js';
import { describe, type LaneState } from './lanes.js';

/** A publish is admitted on the depth last read from the broker while that is this fresh and far from full. */
const DEPTH_MAX_AGE_MS = 250;

/**
 * Publishing: persistent messages on a confirm channel, admitted against MAX_QUEUE_DEPTH first, with dedupe of
 * (id, generation) within this process.
 */
export class ConfirmedPublisher {
  /**
   * Dedupe of (id, generation): keys this instance published and has not yet seen acked, terminated or
   * dead-lettered. RabbitMQ has no dedupe of its own, so this does NOT cover a duplicate published by another
   * process (a second API replica) or by this one after a restart, nor does it forget a key another process
   * acked (until the map's bound pushes it out). End to end, the worker's "skip an id already completed" is
   * what makes effects happen once.
   */
  private readonly published = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly limits: WorkQueueLimits,
    private readonly maxRemembered: number,
  ) {}

  async publish(lane: LaneState, message: QueueMessage): Promise<PublishReceipt> {
    const encoded = serialiseOrRefuse(message, () => encodeMessage(message));
    const session = this.connection.connected();
    if (this.connection.isBlocked) throw this.connection.unavailable();
    const key = messageKey(message);
    const earlier = this.published.get(key);
    if (earlier) {
      // Same (id, generation) already published, or being published, by this instance: its outcome is ours.
      await earlier;
      return { duplicate: true };
    }
    const sending = this.send(session, lane, encoded, key);
    this.remember(key, sending);
    try {
      await sending;
    } catch (error) {
      if (this.published.get(key) === sending) this.published.delete(key);
      throw error;
    }
    return { duplicate: false };
  }

  /** The message left its lane (settled or dead-lettered): the same key may be published again. */
  forget(key: string): void {
    this.published.delete(key);
  }

  /** Reads the lane's ready count from the broker; publishes confirmed from now on are counted on top of it. */
  async readDepth(session: ReadySession, lane: LaneState): Promise<void> {
    const sentAt = Date.now();
    lane.confirmedSinceRead = 0;
    const { messageCount } = await session.admin.checkQueue(lane.queue);
    lane.ready = messageCount;
    lane.readAt = sentAt;
  }

  private async send(
    session: ReadySession,
    lane: LaneState,
    encoded: EncodedMessage,
    key: string,
  ): Promise<void> {
    await this.admit(session, lane);
    try {
      if (!session.live) throw this.connection.unavailable();
      await this.confirmedPublish(session, lane, encoded, key);
      lane.confirmedSinceRead += 1;
    } finally {
      lane.publishing -= 1;
    }
  }

  /**
   * MAX_QUEUE_DEPTH, checked before publishing; on admission the publish counts as `publishing` (the caller
   * takes it off once confirmed or refused). The queue's own x-max-length cannot do it alone: a quorum queue
   * admits one message past it before it turns to rejecting, then rejects until it is down to 80 % of it, and it
   * counts only ready messages, not those its consumers hold. So the depth is the broker's ready count plus what
   * this adapter holds unhanded, read again (one read shared by concurrent publishes) unless the last read is
   * fresh and the lane far from full. Other processes' publishes and buffers are covered by x-max-length only.
   */
  private async admit(session: ReadySession, lane: LaneState): Promise<void> {
    const { maxDepth } = this.limits;
    const depth = (): number =>
      lane.ready + lane.confirmedSinceRead + lane.buffer.size + lane.held.size + lane.publishing;
    if (depth() * 2 >= maxDepth || Date.now() - lane.readAt > DEPTH_MAX_AGE_MS) {
      lane.depthRead ??= this.readDepth(session, lane).finally(() => {
        lane.depthRead = undefined;
      });
      try {
        await lane.depthRead;
      } catch (error) {
        throw new QueueUnavailableError(
          `RabbitMQ did not say how deep ${lane.queue} is: ${describe(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    const now = depth();
    if (now >= maxDepth) throw withoutStack(() => new QueueFullError(lane.name, now, maxDepth));
    // Counted in the same turn as the check, so concurrent publishes cannot all pass on the same number.
    lane.publishing += 1;
  }

  private confirmedPublish(
    session: ReadySession,
    lane: LaneState,
    { body, options }: EncodedMessage,
    key: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const confirmed = (err: unknown): void => {
        if (session.returned.delete(key)) {
          reject(
            new QueueUnavailableError(`RabbitMQ could not route to ${lane.queue}: was the queue deleted?`),
          );
        } else if (!err) {
          resolve();
        } else if (err instanceof Error && err.message === 'message nacked') {
          // With reject-publish overflow, a nack is the lane at x-max-length (another process filled it).
          const { maxDepth } = this.limits;
          reject(withoutStack(() => new QueueFullError(lane.name, maxDepth, maxDepth, { cause: err })));
        } else {
          reject(
            new QueueUnavailableError(`RabbitMQ did not confirm the publish: ${describe(err)}`, {
              cause: err,
            }),
          );
        }
      };
      try {
        session.publisher.sendToQueue(lane.queue, body, options, confirmed);
      } catch (error) {
        reject(new QueueUnavailableError(`cannot publish to RabbitMQ: ${describe(error)}`, { cause: error }));
      }
    });
  }

  private remember(key: string, sending: Promise<void>): void {
    this.published.set(key, sending);
    if (this.published.size > this.maxRemembered) {
      const oldest = this.published.keys().next();
      if (!oldest.done) this.published.delete(oldest.value);
    }
  }
}

import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import { messageKey } from '../../domain/signal.js';
import { Fifo } from '../../tps/kanban/Fifo.js';
import type { DeadLetterCause } from '../../tps/kanban/deadLetter.js';
import { messageLogTraceFields } from '../../telemetry/traceContext.js';
import type { Delivery, WorkQueueLimits } from '../WorkQueue.js';
import { decodeMessage, deliveryCount } from './amqpMessage.js';
import type { RabbitMqConnection, Session } from './RabbitMqConnection.js';
import { describe, type Inbound, type LaneState, type Lease, type Waiter } from './lanes.js';

export interface LaneConsumerEvents {
  /** The message left the lane (acked or terminated): this process may publish its key again. */
  settled(key: string): void;
  /** The delivery is given back after its last attempt, so the broker dead-letters it; `cause` says why. */
  givenBackLast(key: string, cause: DeadLetterCause, attempts: number): void;
}

/**
 * The consuming side of each lane: a consumer per lane, started by the first `receive`, on its own channel with
 * `prefetch(wipLimit)`, whose deliveries wait here until a `receive` takes them (they count as depth, not
 * in-flight); and per delivery handed out, the lease and nak-delay timers that end in `nack(requeue)`, so the
 * broker counts every attempt and dead-letters after `maxDeliver`.
 */
export class LaneConsumer {
  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly limits: WorkQueueLimits,
    private readonly logger: Logger,
    private readonly events: LaneConsumerEvents,
  ) {}

  receive(lane: LaneState, signal?: AbortSignal): Promise<Delivery | undefined> {
    this.consume(lane);
    const inbound = lane.buffer.shift();
    if (inbound) return Promise.resolve(this.lease(lane, inbound));
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const index = lane.waiters.indexOf(waiter);
        if (index >= 0) lane.waiters.splice(index, 1);
        resolve(undefined);
      };
      const waiter: Waiter = (delivery) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(delivery);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.waiters.push(waiter);
    });
  }

  /** Starts the lane's consumer on a new session again, if a `receive` ever asked for the lane. */
  async resume(session: Session, lane: LaneState): Promise<void> {
    if (!lane.wanted) return;
    lane.consumer = session;
    await this.startConsumer(session, lane);
  }

  /**
   * Drops what the lane held of a session's deliveries: buffered ones are gone, handed-out ones can no longer
   * be settled (settling them later is a no-op with a warning), and nak delays are cancelled. On close, a held
   * delivery goes back now (`giveBackHeld`): a nak asked for another attempt, not for the delay to be lost.
   */
  drop(lane: LaneState, giveBackHeld: boolean): void {
    lane.buffer = new Fifo();
    for (const lease of lane.outstanding) clearTimeout(lease.timer);
    lane.outstanding.clear();
    for (const lease of lane.held) {
      clearTimeout(lease.timer);
      lease.state = 'done';
      if (giveBackHeld) this.nack(lease);
    }
    lane.held.clear();
  }

  /** Starts the lane's consumer on the current session unless it has one; an API that never receives never consumes. */
  private consume(lane: LaneState): void {
    lane.wanted = true;
    const session = this.connection.session;
    if (!session?.live || lane.consumer === session) return;
    lane.consumer = session;
    this.startConsumer(session, lane).catch((error: unknown) => {
      if (session.live) this.connection.fail(session, `cannot consume ${lane.queue}: ${describe(error)}`);
    });
  }

  private async startConsumer(session: Session, lane: LaneState): Promise<void> {
    const channel = await this.connection.openChannel(session, `${lane.name} consumer`, false);
    // Per consumer: the broker never has more than wipLimit of this lane's messages out to this process.
    await channel.prefetch(lane.wipLimit);
    await channel.consume(lane.queue, (raw) => this.onDelivery(session, lane, channel, raw));
  }

  private onDelivery(session: Session, lane: LaneState, channel: Channel, raw: ConsumeMessage | null): void {
    const { closed } = this.connection;
    if (raw === null) {
      // The broker cancelled the consumer, as it does when the queue is deleted: declare it again.
      if (session.live && !closed)
        this.connection.fail(session, `RabbitMQ cancelled the consumer of ${lane.queue}`);
      return;
    }
    if (!session.live || closed) return;
    const message = decodeMessage(raw);
    if (!message) {
      this.logger.error(
        { lane: lane.name, messageId: raw.properties.messageId as unknown },
        'not a queue message; dead-lettering it',
      );
      channel.nack(raw, false, false);
      return;
    }
    const inbound: Inbound = { session, channel, raw, message, attempt: deliveryCount(raw) + 1 };
    const waiter = lane.waiters.shift();
    if (waiter) waiter(this.lease(lane, inbound));
    else lane.buffer.push(inbound);
  }

  private lease(lane: LaneState, inbound: Inbound): Delivery {
    const lease: Lease = {
      ...inbound,
      lane,
      key: messageKey(inbound.message),
      state: 'out',
      timer: undefined,
    };
    lane.outstanding.add(lease);
    this.arm(lease);
    return {
      message: inbound.message,
      attempt: inbound.attempt,
      ack: () => this.finish(lease, 'ack'),
      term: () => this.finish(lease, 'term'),
      nak: (delayMs = 0) => this.giveBack(lease, delayMs),
      extend: () => {
        if (this.settleable(lease, 'extend')) this.arm(lease);
        return Promise.resolve();
      },
    };
  }

  /**
   * The lease. RabbitMQ only redelivers an unacked message when its channel closes, or after a consumer
   * timeout counted in minutes and closing the whole channel; so the adapter keeps a timer per delivery and,
   * when it runs out, gives the message back itself (nack with requeue). The broker counts that return, so the
   * redelivery comes as attempt + 1, and the return after the last attempt dead-letters it.
   */
  private arm(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.timer = setTimeout(() => {
      if (lease.state !== 'out' || !lease.session.live) return;
      this.release(lease);
      this.logger.debug({ id: lease.message.id, attempt: lease.attempt }, 'lease ran out; giving it back');
      this.requeue(lease, 'lease_expired');
    }, this.limits.leaseMs);
    lease.timer.unref();
  }

  private finish(lease: Lease, action: 'ack' | 'term'): Promise<void> {
    if (!this.settleable(lease, action)) return Promise.resolve();
    this.release(lease);
    // term acks too: the message leaves the lane and is not dead-lettered.
    try {
      lease.channel.ack(lease.raw);
    } catch (err) {
      this.logger.warn(
        { err, id: lease.message.id, action },
        'could not ack; RabbitMQ will deliver it again',
      );
      return Promise.resolve();
    }
    this.events.settled(lease.key);
    return Promise.resolve();
  }

  /**
   * The nak delay, without the delayed-message plugin: the adapter holds the delivery (unacked, so the broker
   * still keeps the message safe) and gives it back when the delay ends. Chosen over a retry queue with a TTL
   * that dead-letters back into the lane because that loses the broker's delivery count (a republished message
   * starts at 0 again), a quorum queue expires messages only from its head (a long delay would hold up a short
   * one behind it), and its dead-lettering back into a full lane can drop the message. The price: a held
   * delivery keeps its prefetch slot, so the WIP limit counts it until the delay ends.
   */
  private giveBack(lease: Lease, delayMs: number): Promise<void> {
    if (!this.settleable(lease, 'nak')) return Promise.resolve();
    this.release(lease);
    if (delayMs <= 0 || lease.attempt >= this.limits.maxDeliver) {
      this.requeue(lease, 'nak');
      return Promise.resolve();
    }
    lease.state = 'held';
    lease.lane.held.add(lease);
    lease.timer = setTimeout(() => {
      if (lease.state !== 'held') return;
      lease.state = 'done';
      lease.lane.held.delete(lease);
      this.nack(lease);
    }, delayMs);
    lease.timer.unref();
    return Promise.resolve();
  }

  /**
   * Whether the delivery can still be settled. Not once its lease ran out (the redelivered copy owns the
   * message), and not once its channel is gone: RabbitMQ has taken the message back and delivers it again,
   * so acking it is a no-op (with a warning), not a crash.
   */
  private settleable(lease: Lease, action: string): boolean {
    if (lease.state !== 'out') {
      this.logger.debug({ id: lease.message.id, action }, 'delivery already settled or its lease ran out');
      return false;
    }
    if (!lease.session.live) {
      lease.state = 'done';
      this.logger.warn(
        { id: lease.message.id, attempt: lease.attempt, action },
        `${action} of a delivery whose channel is gone: ignored, RabbitMQ delivers the message again`,
      );
      return false;
    }
    return true;
  }

  private release(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.timer = undefined;
    lease.state = 'done';
    lease.lane.outstanding.delete(lease);
  }

  private requeue(lease: Lease, cause: DeadLetterCause): void {
    // This return dead-letters it; the dead letter's reason can then say what happened.
    if (lease.attempt >= this.limits.maxDeliver) this.events.givenBackLast(lease.key, cause, lease.attempt);
    this.nack(lease);
  }

  private nack(lease: Lease): void {
    if (!lease.session.live) return;
    try {
      lease.channel.nack(lease.raw, false, true);
    } catch (err) {
      this.logger.warn(
        { err, id: lease.message.id, ...messageLogTraceFields(lease.message) },
        'could not nack; RabbitMQ will deliver it again',
      );
    }
  }
}

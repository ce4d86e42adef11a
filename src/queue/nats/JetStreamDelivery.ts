import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { QueueMessage } from '../../domain/signal.js';
import { messageLogTraceFields } from '../../telemetry/traceContext.js';
import type { DeadLetterCause } from '../../tps/kanban/deadLetter.js';
import type { Delivery, WorkQueueLimits } from '../WorkQueue.js';
import type { Lane } from './jetStreamSupport.js';
import type { NatsConnectionStatus } from './NatsConnectionStatus.js';
import type { DeadLetterMove } from './JetStreamDeadLetters.js';
import { readQueueMessage } from './messageFormat.js';

/** What a delivery needs from the queue that handed it out. */
export interface DeliveryContext {
  readonly limits: WorkQueueLimits;
  readonly requestTimeoutMs: number;
  readonly log: Logger;
  readonly status: NatsConnectionStatus;
  /** Lease clocks of last attempts, so `close` can stop them all. */
  readonly leaseTimers: Set<NodeJS.Timeout>;
  /** Sends an ack-protocol message and waits until the server has read it. */
  send(write: () => void): Promise<void>;
  /** Moves a message to the dead-letter stream, tracked so `close` can let the move finish. */
  deadLetter(lane: Lane, move: DeadLetterMove): Promise<void>;
}

/**
 * One JetStream message handed to a receiver: settled at most once (ack, nak with delay, term), its lease
 * renewed by `extend`. JetStream stops delivering a message after its last attempt without dead-lettering it,
 * so on the last attempt a nak, or the end of the lease, moves it to the dead-letter stream here.
 *
 * The methods are arrow fields: a fallback queue spreads a delivery into a new object (`{ ...delivery }`),
 * which copies own properties only.
 */
export class JetStreamDelivery implements Delivery {
  readonly attempt: number;
  private readonly last: boolean;
  private settled = false;
  private leaseTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly context: DeliveryContext,
    private readonly lane: Lane,
    private readonly msg: JsMsg,
    readonly message: QueueMessage,
  ) {
    this.attempt = msg.info.deliveryCount;
    this.last = this.attempt >= context.limits.maxDeliver;
    this.startLease();
  }

  /** The delivery of `msg`, or undefined when it is not a queue message (it is terminated). */
  static of(context: DeliveryContext, lane: Lane, msg: JsMsg): JetStreamDelivery | undefined {
    const message = readQueueMessage(msg.data, msg.headers);
    if (!message) {
      context.log.error({ lane: lane.name, seq: msg.seq }, 'not a queue message; terminated');
      msg.term();
      return undefined;
    }
    return new JetStreamDelivery(context, lane, msg, message);
  }

  readonly ack = (): Promise<void> =>
    this.settle(async () => {
      await this.msg.ackAck({ timeout: this.context.requestTimeoutMs });
    });

  readonly nak = (delayMs = 0): Promise<void> =>
    this.last
      ? this.settle(() => this.deadLetter('nak'))
      : this.settle(() => this.context.send(() => this.msg.nak(delayMs > 0 ? delayMs : undefined)));

  readonly term = (): Promise<void> => this.settle(() => this.context.send(() => this.msg.term()));

  readonly extend = async (): Promise<void> => {
    if (this.settled) return;
    const refusal = this.context.status.refusal();
    if (refusal) throw refusal;
    this.startLease();
    try {
      await this.context.send(() => this.msg.working());
    } catch (error) {
      throw this.context.status.unavailable('extending a lease', error);
    }
  };

  private async settle(action: () => Promise<void>): Promise<void> {
    if (this.settled) return;
    const refusal = this.context.status.refusal();
    if (refusal) throw refusal;
    this.settled = true;
    this.stopLease();
    try {
      await action();
    } catch (error) {
      throw this.context.status.unavailable('settling a delivery', error);
    }
  }

  private deadLetter(cause: DeadLetterCause): Promise<void> {
    return this.context.deadLetter(this.lane, {
      message: this.message,
      data: this.msg.data,
      seq: this.msg.seq,
      attempts: this.attempt,
      cause,
      live: this.msg,
    });
  }

  /** Only the last attempt needs a clock here: earlier ones are redelivered by the server when their lease ends. */
  private startLease(): void {
    if (!this.last) return;
    this.stopLease();
    const { leaseTimers, limits, log, status } = this.context;
    const timer = setTimeout(() => {
      leaseTimers.delete(timer);
      if (this.settled || status.closed) return;
      this.settled = true;
      void this.deadLetter('lease_expired').catch((error: unknown) =>
        log.warn(
          { err: error, lane: this.lane.name, id: this.message.id, ...messageLogTraceFields(this.message) },
          'could not dead-letter an expired last attempt',
        ),
      );
    }, limits.leaseMs);
    timer.unref();
    leaseTimers.add(timer);
    this.leaseTimer = timer;
  }

  private stopLease(): void {
    if (!this.leaseTimer) return;
    clearTimeout(this.leaseTimer);
    this.context.leaseTimers.delete(this.leaseTimer);
    this.leaseTimer = undefined;
  }
}

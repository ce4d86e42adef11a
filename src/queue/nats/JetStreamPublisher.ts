import type { JetStreamClient } from '@nats-io/jetstream';
import { messageKey, type QueueMessage } from '../../domain/signal.js';
import { QueueFullError } from '../../errors/queueErrors.js';
import { withoutStack } from '../../errors/withoutStack.js';
import { serialiseOrRefuse } from '../serialiseOrRefuse.js';
import type { PublishReceipt, WorkQueueLimits } from '../WorkQueue.js';
import { MAXIMUM_MESSAGES_EXCEEDED, isApiError, type Lane } from './jetStreamSupport.js';
import { messageBody, messageHeaders } from './messageFormat.js';
import type { NatsConnectionStatus } from './NatsConnectionStatus.js';

/**
 * Puts work messages in their lanes. The stream does both admission and dedupe: `discard: new` refuses a
 * publish once the lane holds `maxDepth` messages, and `Nats-Msg-Id` (the message key) drops a repeat.
 */
export class JetStreamPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly limits: WorkQueueLimits,
    private readonly requestTimeoutMs: number,
    private readonly status: NatsConnectionStatus,
  ) {}

  async publish(lane: Lane, message: QueueMessage): Promise<PublishReceipt> {
    const body = serialiseOrRefuse(message, () => messageBody(message));
    try {
      const ack = await this.js.publish(lane.subject, body, {
        msgID: messageKey(message),
        headers: messageHeaders(message),
        timeout: this.requestTimeoutMs,
      });
      return { duplicate: ack.duplicate };
    } catch (error) {
      if (isApiError(error, MAXIMUM_MESSAGES_EXCEEDED)) {
        // `discard: new` refuses only when the stream holds max_msgs: that is the depth.
        const { maxDepth } = this.limits;
        throw withoutStack(() => new QueueFullError(lane.name, maxDepth, maxDepth, { cause: error }));
      }
      throw this.status.unavailable(`publishing to lane ${lane.name}`, error);
    }
  }
}

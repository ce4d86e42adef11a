import type { LaneName } from '../../domain/signal.js';
import type { WorkQueueLimits } from '../WorkQueue.js';

/** What the RabbitMQ adapter declares for one prefix: the names, so tests and operators can find and remove them. */
export interface RabbitMqTopology {
  /** The direct exchange lanes dead-letter to; the routing key is the lane name. */
  deadLetterExchange: string;
  /** The quorum work queue of a lane. */
  laneQueue(lane: LaneName): string;
  /** The durable queue a lane's dead letters wait in until they are replayed. */
  deadLetterQueue(lane: LaneName): string;
}

export const rabbitMqTopology = (prefix: string): RabbitMqTopology => ({
  deadLetterExchange: `${prefix}.dlx`,
  laneQueue: (lane) => `${prefix}.${lane}`,
  deadLetterQueue: (lane) => `${prefix}.dlq.${lane}`,
});

/**
 * The arguments of a lane's queue. Queue arguments are fixed when RabbitMQ creates the queue: starting against
 * an existing queue with other limits fails with PRECONDITION_FAILED (delete the queue to change them).
 */
export const laneQueueArguments = (
  lane: LaneName,
  limits: Pick<WorkQueueLimits, 'maxDepth' | 'maxDeliver'>,
  topology: RabbitMqTopology,
): Record<string, unknown> => ({
  // Replicated, fsync'd before the publisher confirm, and it counts deliveries (x-delivery-count).
  'x-queue-type': 'quorum',
  // A backstop across processes: the adapter checks depth before it publishes (see `admit`), because a quorum
  // queue takes one message past x-max-length before it turns to rejecting, and then keeps rejecting until it is
  // down to 80 % of it.
  'x-max-length': limits.maxDepth,
  'x-overflow': 'reject-publish',
  // A quorum queue dead-letters a message when it comes back for the (limit + 1)-th time, so after
  // limit + 1 deliveries: MAX_DELIVER deliveries in all.
  'x-delivery-limit': limits.maxDeliver - 1,
  'x-dead-letter-exchange': topology.deadLetterExchange,
  'x-dead-letter-routing-key': lane,
  // Kept in the lane until the dead-letter queue has confirmed it: nothing accepted is lost on the way.
  'x-dead-letter-strategy': 'at-least-once',
});

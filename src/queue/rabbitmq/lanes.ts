import type { Channel, ConsumeMessage } from 'amqplib';
import type { LaneName, QueueMessage } from '../../domain/signal.js';
import { Fifo } from '../../tps/kanban/Fifo.js';
import type { Delivery } from '../WorkQueue.js';
import type { Session } from './RabbitMqConnection.js';

/** A message the lane's consumer received and no `receive` has taken yet. */
export interface Inbound {
  readonly session: Session;
  readonly channel: Channel;
  readonly raw: ConsumeMessage;
  readonly message: QueueMessage;
  readonly attempt: number;
}

/** A delivery handed to a receiver: `out` until settled or its lease runs out, `held` while a nak delay runs. */
export interface Lease extends Inbound {
  readonly lane: LaneState;
  readonly key: string;
  state: 'out' | 'held' | 'done';
  timer: NodeJS.Timeout | undefined;
}

export type Waiter = (delivery: Delivery | undefined) => void;

/** What the publisher, the consumer and the stats share about one lane. */
export interface LaneState {
  readonly name: LaneName;
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly wipLimit: number;
  buffer: Fifo<Inbound>;
  readonly waiters: Waiter[];
  /** Handed out and not settled: the lane's in-flight count. */
  readonly outstanding: Set<Lease>;
  /** Nak'ed with a delay: back in line once the delay is over, so counted as waiting. */
  readonly held: Set<Lease>;
  /** A receive asked for this lane, so it keeps a consumer, across reconnects too. */
  wanted: boolean;
  /** The session whose consumer is (being) set up for this lane. */
  consumer: Session | undefined;
  /** Ready messages at the broker, as last read, and when. */
  ready: number;
  readAt: number;
  /** Publishes confirmed since the last depth read was sent (some may be in `ready` already: an overestimate). */
  confirmedSinceRead: number;
  depthRead: Promise<void> | undefined;
  /** Publishes sent and not yet confirmed. */
  publishing: number;
  deadLettered: number;
}

export const newLane = (
  name: LaneName,
  queue: string,
  deadLetterQueue: string,
  wipLimit: number,
): LaneState => ({
  name,
  queue,
  deadLetterQueue,
  wipLimit,
  buffer: new Fifo(),
  waiters: [],
  outstanding: new Set(),
  held: new Set(),
  wanted: false,
  consumer: undefined,
  ready: 0,
  readAt: Number.NEGATIVE_INFINITY,
  confirmedSinceRead: 0,
  depthRead: undefined,
  publishing: 0,
  deadLettered: 0,
});

export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
export const ignore = (): void => undefined;

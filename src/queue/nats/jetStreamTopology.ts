import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { LaneName } from '../../domain/signal.js';
import type { WorkQueueLimits } from '../WorkQueue.js';

/** Stream, subject and consumer names, all derived from one prefix so several systems can share a server. */
export interface JetStreamNames {
  readonly prefix: string;
  laneStream(lane: LaneName): string;
  laneSubject(lane: LaneName): string;
  laneConsumer(lane: LaneName): string;
  readonly deadLetterStream: string;
  /** Every dead-letter subject: `<prefix>.dlq.<lane>.<id as base64url>`. */
  readonly deadLetterSubjects: string;
  deadLetterSubject(lane: LaneName, id: string): string;
  /** The lane and signal id a dead-letter subject stands for, or undefined if it is not one of ours. */
  parseDeadLetterSubject(subject: string): { lane: string; id: string } | undefined;
  maxDeliveriesAdvisory(lane: LaneName): string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const jetStreamNames = (prefix: string): JetStreamNames => {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new RangeError(`prefix must be 1–64 letters, digits, '_' or '-' (it names streams), got ${prefix}`);
  }
  const dlq = `${prefix}.dlq.`;
  return {
    prefix,
    laneStream: (lane) => `${prefix}_${lane}`,
    laneSubject: (lane) => `${prefix}.signals.${lane}`,
    laneConsumer: (lane) => `${prefix}_${lane}_workers`,
    deadLetterStream: `${prefix}_dlq`,
    deadLetterSubjects: `${dlq}>`,
    // Signal ids may hold '.', which would split the subject token; base64url keeps one token per id.
    deadLetterSubject: (lane, id) => `${dlq}${lane}.${Buffer.from(id).toString('base64url')}`,
    parseDeadLetterSubject: (subject) => {
      if (!subject.startsWith(dlq)) return undefined;
      const [lane, token, ...rest] = subject.slice(dlq.length).split('.');
      if (!lane || !token || rest.length > 0) return undefined;
      return { lane, id: Buffer.from(token, 'base64url').toString() };
    },
    maxDeliveriesAdvisory: (lane) =>
      `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${prefix}_${lane}.${prefix}_${lane}_workers`,
  };
};

export interface TopologySettings {
  names: JetStreamNames;
  limits: WorkQueueLimits;
  lanes: readonly LaneName[];
  duplicateWindowMs: number;
  /** Copies of each stream and consumer (num_replicas): 1 on one server, 3 or 5 on a cluster. */
  replicas: number;
}

/**
 * A lane's stream: work-queue retention (a message leaves once acked or terminated), on disk, at most
 * `maxDepth` messages (waiting and in flight) with `discard: new`, so a full lane refuses the publish instead
 * of dropping the oldest, and a dedupe window for `Nats-Msg-Id`.
 */
export const laneStreamConfig = (
  { names, limits, duplicateWindowMs, replicas }: TopologySettings,
  lane: LaneName,
): StreamConfig =>
  ({
    name: names.laneStream(lane),
    description: `TPS Kanban lane ${lane}`,
    subjects: [names.laneSubject(lane)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_msgs: limits.maxDepth,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(duplicateWindowMs),
    num_replicas: replicas,
  }) as StreamConfig;

/**
 * The dead-letter stream: kept until replayed (limits retention, on disk). One subject per signal id with one
 * message per subject, so the newest dead letter of an id replaces the older one, as the memory queue does.
 */
export const deadLetterStreamConfig = ({
  names,
  duplicateWindowMs,
  replicas,
}: TopologySettings): StreamConfig =>
  ({
    name: names.deadLetterStream,
    description: 'TPS dead-letter lane: messages that used up their deliveries',
    subjects: [names.deadLetterSubjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs_per_subject: 1,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(duplicateWindowMs),
    num_replicas: replicas,
  }) as StreamConfig;

/**
 * The lane's durable pull consumer: the WIP limit is `max_ack_pending`, the lease is `ack_wait`. It has as many
 * replicas as its stream (JetStream requires that of a work-queue stream's consumers).
 */
export const laneConsumerConfig = (
  { names, limits, replicas }: TopologySettings,
  lane: LaneName,
): ConsumerConfig =>
  ({
    durable_name: names.laneConsumer(lane),
    description: `TPS workers of lane ${lane}`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(limits.leaseMs),
    max_deliver: limits.maxDeliver,
    max_ack_pending: limits.wipLimit[lane],
    num_replicas: replicas,
  }) as ConsumerConfig;

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

const hasApiCode = (error: unknown, code: number): boolean =>
  error instanceof JetStreamApiError && error.code === code;

/** The fields of `wanted` that `current` does not have, compared as JSON. */
const changes = <T extends object>(current: T, wanted: T, fields: readonly (keyof T)[]): Partial<T> => {
  const changed: Partial<T> = {};
  for (const field of fields) {
    if (JSON.stringify(current[field]) !== JSON.stringify(wanted[field])) changed[field] = wanted[field];
  }
  return changed;
};

const STREAM_UPDATABLE = [
  'description',
  'subjects',
  'max_msgs',
  'max_msgs_per_subject',
  'discard',
  'duplicate_window',
  // JetStream moves a stream between R1, R3 and R5 in place (on a cluster with enough servers).
  'num_replicas',
] as const satisfies readonly (keyof StreamConfig)[];

/** Creates the stream, or brings an existing one to `wanted`; refuses one whose retention or storage differ. */
export async function ensureStream(jsm: JetStreamManager, wanted: StreamConfig, attempt = 1): Promise<void> {
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(wanted.name)).config;
  } catch (error) {
    if (!hasApiCode(error, STREAM_NOT_FOUND)) throw error;
    try {
      await jsm.streams.add(wanted);
    } catch (addError) {
      // Another process may have created it a moment ago: then take the update path, once.
      if (attempt > 1) throw addError;
      await ensureStream(jsm, wanted, attempt + 1);
    }
    return;
  }
  for (const field of ['retention', 'storage'] as const) {
    if (current[field] !== wanted[field]) {
      throw new Error(
        `stream ${wanted.name} exists with ${field} ${current[field]}, not ${wanted[field]}: ` +
          'delete it or choose another prefix',
      );
    }
  }
  const changed = changes(current, wanted, STREAM_UPDATABLE);
  if (Object.keys(changed).length > 0) await jsm.streams.update(wanted.name, changed);
}

const CONSUMER_UPDATABLE = [
  'description',
  'ack_wait',
  'max_deliver',
  'max_ack_pending',
  'num_replicas',
] as const satisfies readonly (keyof ConsumerConfig)[];

/** Creates the durable consumer, or brings an existing one's lease, deliveries and WIP limit to `wanted`. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  wanted: ConsumerConfig,
  attempt = 1,
): Promise<ConsumerInfo> {
  const name = wanted.durable_name ?? '';
  let current: ConsumerInfo;
  try {
    current = await jsm.consumers.info(stream, name);
  } catch (error) {
    if (!hasApiCode(error, CONSUMER_NOT_FOUND)) throw error;
    if (attempt > 1) return jsm.consumers.add(stream, wanted);
    return jsm.consumers.add(stream, wanted).catch(() => ensureConsumer(jsm, stream, wanted, attempt + 1));
  }
  // 0 (set by older versions, which did not name it) means "as many as the stream", which ensureStream set.
  const config = { ...current.config, num_replicas: current.config.num_replicas || wanted.num_replicas };
  const changed = changes(config, wanted, CONSUMER_UPDATABLE);
  return Object.keys(changed).length > 0 ? jsm.consumers.update(stream, name, changed) : current;
}

/** Creates or updates the dead-letter stream and each lane's stream and consumer; returns the consumers. */
export async function ensureTopology(
  jsm: JetStreamManager,
  settings: TopologySettings,
): Promise<Map<LaneName, ConsumerInfo>> {
  await ensureStream(jsm, deadLetterStreamConfig(settings));
  const consumers = new Map<LaneName, ConsumerInfo>();
  for (const lane of settings.lanes) {
    await ensureStream(jsm, laneStreamConfig(settings, lane));
    const stream = settings.names.laneStream(lane);
    consumers.set(lane, await ensureConsumer(jsm, stream, laneConsumerConfig(settings, lane)));
  }
  return consumers;
}

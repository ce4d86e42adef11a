import { EventEmitter, type Disposable } from '../../domain/disposable.js';
import type { LaneName, QueueMessage } from '../../domain/signal.js';
import { isQueueFullError, isUnserialisablePayloadError } from '../../errors/index.js';
import type { Logger } from '../../telemetry/logger.js';
import { refuseUnserialisable } from '../serialiseOrRefuse.js';
import { isBreakerOpenError, type Breaker } from '../../tps/jidoka/index.js';
import type {
  DeadLetter,
  Delivery,
  LaneStats,
  PublishReceipt,
  QueueAvailability,
  WorkQueue,
} from '../WorkQueue.js';
import { primaryBackendOf } from '../WorkQueue.js';

/** How long one receive waits on one backend before it looks at the other. */
const POLL_MS = 250;

/**
 * `nats+rabbitmq`: publishes go to the primary through its breaker, and to the secondary while the primary
 * fails or its breaker is open; workers drain both, so nothing accepted on either is stranded. A full lane on
 * the primary is back-pressure (429), not a reason to spill onto the secondary.
 */
export class FallbackWorkQueue implements WorkQueue {
  readonly backend = 'nats+rabbitmq' as const;
  readonly durable = true;
  private readonly deadLetters = new EventEmitter<DeadLetter>();
  readonly onDeadLetter = this.deadLetters.addListener;
  private readonly subscriptions: Disposable[];
  private fallback: { since: number; cause: string } | undefined;
  private turn = 0;

  constructor(
    private readonly primary: WorkQueue,
    private readonly secondary: WorkQueue,
    private readonly primaryBreaker: Breaker,
    private readonly logger?: Logger,
  ) {
    this.subscriptions = [primary, secondary].map((queue) =>
      queue.onDeadLetter((deadLetter) => this.deadLetters.emit(deadLetter)),
    );
  }

  async publish(message: QueueMessage): Promise<PublishReceipt> {
    // Before the breaker: a half-open probe that fails on a bad message would count as the backend healthy.
    refuseUnserialisable(message);
    try {
      const receipt = await this.primaryBreaker.execute(() => this.primary.publish(message));
      if (this.fallback) {
        this.logger?.info({ primary: this.primary.backend }, `intake back on ${this.primary.backend}`);
        this.fallback = undefined;
      }
      return { ...receipt, carrier: primaryBackendOf(this.primary) };
    } catch (error) {
      // A full lane is back-pressure, an unserialisable message the caller's fault: neither is a reason to spill.
      if (isQueueFullError(error) || isUnserialisablePayloadError(error)) throw error;
      const cause = error instanceof Error ? error.message : String(error);
      if (!this.fallback) {
        this.logger?.warn(
          { primary: this.primary.backend, cause },
          `intake falls back to ${this.secondary.backend}`,
        );
      }
      this.fallback = {
        since: Date.now(),
        cause: isBreakerOpenError(error) ? (this.fallback?.cause ?? cause) : cause,
      };
      const receipt = await this.secondary.publish(message);
      return { ...receipt, carrier: primaryBackendOf(this.secondary) };
    }
  }

  async receive(lane: LaneName, signal?: AbortSignal): Promise<Delivery | undefined> {
    while (!signal?.aborted) {
      const queues = this.turn++ % 2 === 0 ? [this.primary, this.secondary] : [this.secondary, this.primary];
      for (const queue of queues) {
        if (!queue.availability().available) continue;
        // A timer of our own, not AbortSignal.timeout: that one is unref'd and would let an idle process exit.
        const slice = new AbortController();
        const timer = setTimeout(() => slice.abort(), POLL_MS);
        const both = signal ? AbortSignal.any([slice.signal, signal]) : slice.signal;
        const delivery = await queue.receive(lane, both).catch(() => undefined);
        clearTimeout(timer);
        if (delivery) return { ...delivery, carrier: primaryBackendOf(queue) };
        if (signal?.aborted) return undefined;
      }
      if (!this.primary.availability().available && !this.secondary.availability().available) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
    return undefined;
  }

  async stats(): Promise<Record<LaneName, LaneStats>> {
    const [a, b] = await Promise.all([
      this.primary.stats().catch(() => undefined),
      this.secondary.stats().catch(() => undefined),
    ]);
    const lanes = Object.keys(a ?? b ?? {}) as LaneName[];
    return Object.fromEntries(
      lanes.map((lane) => {
        const first = a?.[lane];
        const second = b?.[lane];
        return [
          lane,
          {
            depth: (first?.depth ?? 0) + (second?.depth ?? 0),
            capacity: first?.capacity ?? second?.capacity ?? 0,
            inflight: (first?.inflight ?? 0) + (second?.inflight ?? 0),
            wipLimit: first?.wipLimit ?? second?.wipLimit ?? 0,
            deadLettered: (first?.deadLettered ?? 0) + (second?.deadLettered ?? 0),
          },
        ];
      }),
    ) as Record<LaneName, LaneStats>;
  }

  async listDeadLetters(limit = Number.POSITIVE_INFINITY): Promise<DeadLetter[]> {
    const all = (
      await Promise.all(
        [this.primary, this.secondary].map((queue) => queue.listDeadLetters(limit).catch(() => [])),
      )
    ).flat();
    return all.sort((x, y) => y.at - x.at).slice(0, limit);
  }

  async replayDeadLetters(ids?: readonly string[]): Promise<DeadLetter[]> {
    const moved = await Promise.all(
      [this.primary, this.secondary].map((queue) => queue.replayDeadLetters(ids).catch(() => [])),
    );
    return moved.flat();
  }

  availability(): QueueAvailability {
    const primary = this.primary.availability();
    const secondary = this.secondary.availability();
    if (!primary.available || this.fallback) {
      const cause = primary.cause ?? this.fallback?.cause ?? 'failing';
      return {
        available: secondary.available,
        fallbackActive: secondary.available,
        cause: secondary.available
          ? `fallback active: intake on ${this.secondary.backend} because ${this.primary.backend} is down (${cause})`
          : `${this.primary.backend} and ${this.secondary.backend} are both down (${cause}; ${secondary.cause ?? 'failing'})`,
      };
    }
    if (!secondary.available) {
      return {
        available: true,
        degraded: true,
        cause: `no fallback: ${this.secondary.backend} is down (${secondary.cause ?? 'failing'})`,
      };
    }
    return { available: true };
  }

  async close(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.dispose();
    await Promise.all([this.primary.close(), this.secondary.close()]);
  }
}

export function createFallbackWorkQueue(options: {
  primary: WorkQueue;
  secondary: WorkQueue;
  primaryBreaker: Breaker;
  logger?: Logger;
}): FallbackWorkQueue {
  return new FallbackWorkQueue(options.primary, options.secondary, options.primaryBreaker, options.logger);
}

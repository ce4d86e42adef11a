import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolSettings } from '../../config/index.js';
import { EventEmitter } from '../../domain/disposable.js';
import type { LaneName } from '../../domain/signal.js';
import type { Delivery, LaneStats, WorkQueue } from '../../queue/WorkQueue.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Clock } from '../../tps/clock.js';
import { decideScale, type ScalePolicy } from '../../tps/heijunka/index.js';
import type { Line } from '../../tps/jidoka/index.js';
import type { SignalProcessor } from './signalProcessor.js';

export type PoolEvent =
  | { type: 'scaled'; pool: LaneName; from: number; to: number; reason: string; at: number }
  | { type: 'restarted'; pool: LaneName; worker: number; reason: string; at: number };

export interface PoolSnapshot {
  pool: LaneName;
  size: number;
  busy: number;
  min: number;
  max: number;
  /** The most workers the pool may have now: max, or less while another pool uses the shared budget. */
  ceiling: number;
  restarts: number;
  scaleUps: number;
  scaleDowns: number;
  lastScale?: { from: number; to: number; reason: string; at: number };
}

interface Worker {
  id: number;
  /** Aborted when the worker dies: in-flight work is abandoned, as a killed process would leave it. */
  life: AbortController;
  /** Aborted to stop waiting for work (retire, close) without abandoning what is in hand. */
  idle: AbortController;
  retiring: boolean;
  delivery?: Delivery;
}

class WorkerCrashed extends Error {
  override readonly name = 'WorkerCrashed';
}

const PAUSED_POLL_MS = 100;

/**
 * One lane's pool (Heijunka): workers pull from their lane when the line lets them (Jidoka), a supervisor
 * restarts any that crash, and the pool grows under backlog and shrinks when idle between min and max.
 */
export class WorkerPool {
  private readonly workers = new Map<number, Worker>();
  private readonly events = new EventEmitter<PoolEvent>();
  readonly onEvent = this.events.addListener;
  private nextId = 1;
  private busy = 0;
  private restarts = 0;
  private scaleUps = 0;
  private scaleDowns = 0;
  private lastScale: PoolSnapshot['lastScale'];
  private lastScaleAt = -Infinity;
  private idleSince: number | undefined;
  private ceiling: number;
  private closing = false;
  private readonly running = new Set<Promise<void>>();
  private autoscaleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      lane: LaneName;
      queue: WorkQueue;
      line: Line;
      process: SignalProcessor;
      settings: PoolSettings;
      autoscale: (ScalePolicy & { intervalMs: number }) | undefined;
      /** Under a shared WORKER_BUDGET: the most workers this pool may have, given every lane's backlog. */
      ceiling?: (stats: Record<LaneName, LaneStats>) => number;
      clock: Clock;
      logger: Logger;
    },
  ) {
    this.ceiling = options.settings.max;
  }

  start(): void {
    for (let i = 0; i < this.options.settings.size; i++) this.spawn();
    const autoscale = this.options.autoscale;
    if (autoscale) {
      this.autoscaleTimer = setInterval(() => void this.autoscaleTick(autoscale), autoscale.intervalMs);
      this.autoscaleTimer.unref();
    }
  }

  get lane(): LaneName {
    return this.options.lane;
  }

  get size(): number {
    let alive = 0;
    for (const worker of this.workers.values()) if (!worker.retiring) alive++;
    return alive;
  }

  snapshot(): PoolSnapshot {
    const { min, max } = this.options.settings;
    return {
      pool: this.options.lane,
      size: this.size,
      busy: this.busy,
      min,
      max,
      ceiling: this.ceiling,
      restarts: this.restarts,
      scaleUps: this.scaleUps,
      scaleDowns: this.scaleDowns,
      ...(this.lastScale ? { lastScale: this.lastScale } : {}),
    };
  }

  /** The ids of the signals the workers hold right now (received, not yet settled). */
  heldSignals(): string[] {
    return [...this.workers.values()].flatMap((worker) =>
      worker.delivery ? [worker.delivery.message.id] : [],
    );
  }

  /** Kills one worker abruptly (a busy one if any): its signal is neither acked nor released. */
  crashOne(reason = 'crashed on purpose (chaos)'): { worker: number; heldSignal?: string } | undefined {
    const candidates = [...this.workers.values()].filter(
      (worker) => !worker.retiring && !worker.life.signal.aborted,
    );
    const victim = candidates.find((worker) => worker.delivery) ?? candidates[0];
    if (!victim) return undefined;
    const heldSignal = victim.delivery?.message.id;
    victim.life.abort(new WorkerCrashed(reason));
    return { worker: victim.id, ...(heldSignal ? { heldSignal } : {}) };
  }

  /** Sets the pool size within [min, max]; extra workers retire after the signal in hand. */
  resize(target: number, reason: string): void {
    const { min } = this.options.settings;
    const to = Math.max(min, Math.min(this.ceiling, target));
    const from = this.size;
    if (to === from) return;
    if (to > from) for (let i = from; i < to; i++) this.spawn();
    else {
      const idleFirst = [...this.workers.values()]
        .filter((worker) => !worker.retiring)
        .sort((a, b) => Number(Boolean(a.delivery)) - Number(Boolean(b.delivery)));
      for (const worker of idleFirst.slice(0, from - to)) {
        worker.retiring = true;
        worker.idle.abort();
      }
    }
    const at = this.options.clock.now();
    if (to > from) this.scaleUps++;
    else this.scaleDowns++;
    this.lastScaleAt = at;
    this.lastScale = { from, to, reason, at };
    this.events.emit({ type: 'scaled', pool: this.options.lane, from, to, reason, at });
  }

  /** Stops pulling; waits up to `drainMs` for work in hand, then releases the rest for redelivery. */
  async close(drainMs: number): Promise<void> {
    this.closing = true;
    clearInterval(this.autoscaleTimer);
    for (const worker of this.workers.values()) worker.idle.abort();
    const drained = Promise.allSettled([...this.running]).then(() => true);
    const timedOut = sleep(drainMs, false, { ref: false });
    if (!(await Promise.race([drained, timedOut]))) {
      for (const worker of this.workers.values()) {
        await worker.delivery?.nak(0).catch(() => undefined);
        worker.life.abort(new WorkerCrashed('released at shutdown'));
      }
      await Promise.allSettled([...this.running]);
    }
  }

  private spawn(): void {
    const worker: Worker = {
      id: this.nextId++,
      life: new AbortController(),
      idle: new AbortController(),
      retiring: false,
    };
    this.workers.set(worker.id, worker);
    const run = this.run(worker)
      .catch((error: unknown) => this.supervise(worker, error))
      .finally(() => {
        this.workers.delete(worker.id);
        this.running.delete(run);
      });
    this.running.add(run);
  }

  private supervise(worker: Worker, error: unknown): void {
    if (this.closing) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.restarts++;
    this.options.logger.warn({ worker: worker.id, reason }, 'worker died; supervisor restarts it');
    this.events.emit({
      type: 'restarted',
      pool: this.options.lane,
      worker: worker.id,
      reason,
      at: this.options.clock.now(),
    });
    this.workers.delete(worker.id);
    this.spawn();
  }

  private async run(worker: Worker): Promise<void> {
    const { queue, line, lane, process } = this.options;
    const waiting = AbortSignal.any([worker.life.signal, worker.idle.signal]);
    while (!this.closing && !worker.retiring) {
      if (worker.life.signal.aborted) throw worker.life.signal.reason;
      const permit = line.acquirePull(lane);
      if (!permit) {
        await sleep(PAUSED_POLL_MS, undefined, { signal: waiting }).catch(() => undefined);
        continue;
      }
      try {
        const delivery = await queue.receive(lane, waiting).catch(async (error: unknown) => {
          this.options.logger.debug({ err: error }, 'receive failed; waiting before the next pull');
          await sleep(PAUSED_POLL_MS, undefined, { signal: waiting }).catch(() => undefined);
          return undefined;
        });
        if (!delivery) continue;
        worker.delivery = delivery;
        this.busy++;
        try {
          await process(delivery, worker.life.signal);
        } finally {
          this.busy--;
          worker.delivery = undefined;
        }
      } finally {
        permit.release();
      }
    }
    if (worker.life.signal.aborted) throw worker.life.signal.reason;
  }

  private async autoscaleTick(policy: ScalePolicy): Promise<void> {
    if (this.closing) return;
    const stats = await this.options.queue.stats().catch(() => undefined);
    if (!stats) return;
    const now = this.options.clock.now();
    const size = this.size;
    if (this.busy >= size) this.idleSince = undefined;
    else this.idleSince ??= now;
    const { min, max } = this.options.settings;
    this.ceiling = this.options.ceiling ? Math.min(max, this.options.ceiling(stats)) : max;
    const decision = decideScale(
      {
        size,
        busy: this.busy,
        backlog: stats[this.options.lane].depth,
        min,
        max: this.ceiling,
        now,
        lastScaleAt: this.lastScaleAt,
        ...(this.idleSince === undefined ? {} : { idleSince: this.idleSince }),
      },
      policy,
    );
    const lent = this.ceiling < max ? ` (shared budget: up to ${this.ceiling} of max ${max} now)` : '';
    if (decision.size !== size) this.resize(decision.size, decision.reason + lent);
  }
}

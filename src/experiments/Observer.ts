import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SystemStatus } from '../domain/status.js';
import type { LabClient } from './http.js';

export type BreakerState = SystemStatus['breakers'][number]['state'];

/** What one GET /status said, reduced to what the timeline plots; `t` is ms since the experiment's start. */
export interface Sample {
  t: number;
  lanes: Record<string, { depth: number; capacity: number; inflight: number; deadLettered: number }>;
  pools: Record<string, { size: number; busy: number; restarts: number }>;
  breakers: Record<string, { state: BreakerState; opens: number; totalFailures: number }>;
  queueAvailable: boolean;
  /** Why the queue is unavailable or degraded ("fallback active: …"), if it says. */
  queueCause?: string;
  chaos: string[];
  intakePerS: number;
  processingP99: Record<string, number>;
  /** The andon level of every station (api, lane:fast, breaker:service-a, downstream:service-c, …). */
  stations: Record<string, SystemStatus['andon']['overall']>;
  /** Per downstream service, the share of its callers' calls that failed (%), from its andon station. */
  downstreamFailPct: Record<string, number>;
}

export interface TimelineEvent {
  t: number;
  kind: 'phase' | 'fault' | 'breaker' | 'pool' | 'queue' | 'lane' | 'chaos' | 'note';
  what: string;
  /** For breaker transitions: which breaker, from and to what state. */
  breaker?: { name: string; from: BreakerState; to: BreakerState };
}

/**
 * Samples GET /status every `everyMs` and turns the differences between samples into timeline events:
 * breaker transitions (at the time the server says, from `since`), pool resizes and restarts, the queue
 * going down and up, a lane passing 80 % and 100 % of its capacity, and chaos appearing and clearing.
 */
export class Observer {
  readonly samples: Sample[] = [];
  readonly events: TimelineEvent[] = [];
  last: SystemStatus | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly startedAtEpoch: number;

  constructor(
    private readonly client: LabClient,
    private readonly startedAt: number,
    private readonly everyMs = 250,
  ) {
    this.startedAtEpoch = Date.now() - (performance.now() - startedAt);
  }

  now(): number {
    return performance.now() - this.startedAt;
  }

  /** An ISO time from the server as ms since the experiment's start. */
  fromIso(iso: string | undefined): number | undefined {
    return iso === undefined ? undefined : Date.parse(iso) - this.startedAtEpoch;
  }

  event(kind: TimelineEvent['kind'], what: string, t = this.now(), extra: Partial<TimelineEvent> = {}): void {
    this.events.push({ t, kind, what, ...extra });
  }

  /** The first transition of `name` into `to` at or after `after` ms. */
  transition(name: string, to: BreakerState, after = 0): TimelineEvent | undefined {
    return this.events
      .filter((e) => e.breaker?.name === name && e.breaker.to === to && e.t >= after)
      .sort((a, b) => a.t - b.t)[0];
  }

  async sample(): Promise<Sample> {
    const status = await this.client.status();
    const t = this.now();
    const sample: Sample = {
      t,
      lanes: Object.fromEntries(
        status.lanes.map((l) => [
          l.lane,
          { depth: l.depth, capacity: l.capacity, inflight: l.inflight, deadLettered: l.dead_lettered },
        ]),
      ),
      pools: Object.fromEntries(
        status.pools.map((p) => [p.pool, { size: p.size, busy: p.busy, restarts: p.restarts }]),
      ),
      breakers: Object.fromEntries(
        status.breakers.map((b) => [
          b.name,
          { state: b.state, opens: b.opens, totalFailures: b.total_failures },
        ]),
      ),
      queueAvailable: status.queue.available,
      ...(status.queue.cause ? { queueCause: status.queue.cause } : {}),
      chaos: [...status.chaos.active],
      intakePerS: status.rates.intake_per_s,
      processingP99: Object.fromEntries(
        Object.entries(status.percentiles_ms.processing).map(([lane, p]) => [lane, p.p99]),
      ),
      stations: Object.fromEntries(status.andon.stations.map((station) => [station.id, station.level])),
      downstreamFailPct: Object.fromEntries(
        status.andon.stations
          .filter((station) => station.kind === 'downstream')
          .map((station) => [
            station.id.replace(/^downstream:/, ''),
            Number(/callers see ([\d.]+)% of calls fail/.exec(station.cause)?.[1] ?? 0),
          ]),
      ),
    };
    this.compare(this.samples.at(-1), sample, status);
    this.samples.push(sample);
    this.last = status;
    return sample;
  }

  private compare(before: Sample | undefined, now: Sample, status: SystemStatus): void {
    if (!before) return;
    for (const breaker of status.breakers) {
      const was = before.breakers[breaker.name];
      if (!was) continue;
      const missed = breaker.opens - was.opens - (breaker.state === 'open' && was.state !== 'open' ? 1 : 0);
      if (missed > 0) this.event('breaker', `${breaker.name} opened ${missed} more time(s) between samples`);
      if (was.state !== breaker.state) {
        const at = this.fromIso(breaker.since) ?? now.t;
        this.event('breaker', `${breaker.name} ${was.state} → ${breaker.state}`, at, {
          breaker: { name: breaker.name, from: was.state, to: breaker.state },
        });
      }
    }
    for (const [pool, p] of Object.entries(now.pools)) {
      const was = before.pools[pool];
      if (!was) continue;
      if (p.restarts > was.restarts)
        this.event('pool', `${pool} pool restarted ${p.restarts - was.restarts} worker(s)`);
      if (p.size !== was.size) this.event('pool', `${pool} pool ${was.size} → ${p.size} workers`);
    }
    for (const [lane, l] of Object.entries(now.lanes)) {
      const was = before.lanes[lane];
      if (!was) continue;
      for (const share of [0.8, 1]) {
        const mark = share * l.capacity;
        if (l.depth >= mark && was.depth < mark)
          this.event('lane', `${lane} lane depth ${l.depth}/${l.capacity} (≥ ${share * 100} %)`);
      }
      if (l.depth === 0 && was.depth > 0) this.event('lane', `${lane} lane empty`);
    }
    if (now.queueAvailable !== before.queueAvailable) {
      this.event(
        'queue',
        now.queueAvailable ? 'queue available again' : `queue unavailable: ${status.queue.cause ?? ''}`,
      );
    }
    if (now.chaos.join(',') !== before.chaos.join(',')) {
      this.event(
        'chaos',
        now.chaos.length > 0 ? `/status shows chaos: ${now.chaos.join(', ')}` : '/status shows no chaos',
      );
    }
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const began = performance.now();
        try {
          await this.sample();
        } catch (error) {
          this.event('note', `GET /status failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        await sleep(Math.max(0, this.everyMs - (performance.now() - began)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Polls (at the sampling pace) until `done` holds for the latest sample, or the time is up. */
  async waitFor(done: (sample: Sample) => boolean, timeoutMs: number): Promise<Sample | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const latest = this.samples.at(-1);
      if (latest && done(latest)) return latest;
      if (performance.now() >= deadline) return undefined;
      await sleep(Math.min(this.everyMs, 100));
    }
  }
}

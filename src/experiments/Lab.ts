import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TERMINAL_STATUSES, type SignalRecord } from '../domain/signal.js';
import { createLabClient, type LabClient } from './http.js';
import { LoadDriver, percentile, type IntervalFigures } from './LoadDriver.js';
import { Observer, type Sample, type TimelineEvent } from './Observer.js';

export type Params = Record<string, number>;

/** A number an experiment can be given; `short` is the value of the `--short` profile the tests run. */
export interface ParamSpec {
  default: number;
  short: number;
  doc: string;
}

/** What most experiments share: a steady fast-lane load before the fault, and the bounded waits after it. */
export const STEADY_LOAD_PARAMS = {
  rate: { default: 50, short: 40, doc: 'requests per second (fast-lane "execute" signals)' },
  recoveryTimeoutMs: { default: 90_000, short: 8000, doc: 'longest wait for every breaker to close' },
  settleTimeoutMs: { default: 60_000, short: 8000, doc: 'longest wait for the lanes to empty' },
} as const satisfies Record<string, ParamSpec>;

export interface Figure {
  name: string;
  value: number | string | null;
  unit?: string;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

/** accepted = completed + dead-lettered + expired, each accepted id read back from GET /signal/:id/status. */
export interface Accounting {
  accepted: number;
  completed: number;
  deadLettered: number;
  expired: number;
  failed: number;
  /** Still queued or processing when the settle time ran out. */
  unsettled: number;
  /** Accepted with a 202 but unknown to the system. */
  missing: number;
  holds: boolean;
}

export interface ExperimentResult {
  experiment: string;
  url: string;
  startedAt: string;
  params: Params;
  figures: Figure[];
  invariants: Invariant[];
  accounting: Accounting;
  events: TimelineEvent[];
  intervals: Array<IntervalFigures & { leadP99: number }>;
  samples: Sample[];
  bucketMs: number;
}

export interface ExperimentContext {
  url: string;
  short: boolean;
  log: (line: string) => void;
}

export interface Experiment<K extends string = string> {
  name: string;
  summary: string;
  params: Record<K, ParamSpec>;
  run(context: ExperimentContext, params: Record<K, number>): Promise<ExperimentResult>;
}

/** Keeps each experiment's parameter names checked, and lists them all under one type. */
export const defineExperiment = <K extends string>(experiment: Experiment<K>): Experiment => experiment;

export const resolveParams = (experiment: Experiment, short: boolean, given: Params = {}): Params =>
  Object.fromEntries(
    Object.entries<ParamSpec>(experiment.params).map(([name, spec]) => [
      name,
      given[name] ?? (short ? spec.short : spec.default),
    ]),
  );

/** Seconds with one decimal, for the log lines. */
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * One experiment's run against a running system: the clock all times are measured on, the observer sampling
 * /status, the load, the fault switches, and at the end the check by id and the result.
 */
export class Lab {
  readonly client: LabClient;
  readonly startedAt = performance.now();
  readonly startedIso = new Date().toISOString();
  readonly observer: Observer;
  load: LoadDriver | undefined;
  readonly figures: Figure[] = [];
  readonly invariants: Invariant[] = [];
  private records = new Map<string, SignalRecord>();

  constructor(
    readonly name: string,
    readonly context: ExperimentContext,
    readonly params: Params,
  ) {
    this.client = createLabClient(context.url);
    this.observer = new Observer(this.client, this.startedAt, 250);
  }

  now(): number {
    return this.observer.now();
  }

  log(line: string): void {
    this.context.log(`[${secs(this.now()).padStart(7)}] ${line}`);
  }

  phase(what: string): void {
    this.observer.event('phase', what);
    this.log(what);
  }

  async begin(load: {
    rate: (elapsedMs: number) => number;
    body: (i: number, id: string) => Record<string, unknown>;
  }): Promise<void> {
    await this.observer.sample();
    this.observer.start();
    const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    this.load = new LoadDriver({
      url: this.context.url,
      startedAt: this.startedAt,
      idPrefix: `exp-${this.name}-${run}`,
      ...load,
    });
    this.load.start();
  }

  /** Starts a steady load of fast-lane signals and holds it for the baseline. */
  async baseline(rate: number, ms: number): Promise<void> {
    await this.begin({ rate: () => rate, body: (_i, id) => ({ id, signal_type: 'execute', payload: {} }) });
    this.phase(`baseline: ${rate} req/s`);
    await this.hold(ms);
  }

  async fault(
    what: string,
    path: string,
    body?: unknown,
    method: 'POST' | 'DELETE' = 'POST',
  ): Promise<unknown> {
    const answer = await this.client.chaos(path, body, method);
    this.observer.event('fault', what);
    this.log(what);
    return answer.json;
  }

  async hold(ms: number): Promise<void> {
    await sleep(Math.max(0, ms));
  }

  figure(name: string, value: number | string | null | undefined, unit?: string): void {
    const rounded = typeof value === 'number' ? Math.round(value * 10) / 10 : (value ?? null);
    this.figures.push({ name, value: rounded, ...(unit ? { unit } : {}) });
  }

  check(name: string, ok: boolean, detail: string): void {
    this.invariants.push({ name, ok, detail });
  }

  /** Checks that /status shows a fault after `afterMs` (within 2 s); `which` narrows it to one fault name. */
  async checkFaultVisible(afterMs: number, which?: string): Promise<void> {
    const seen = await this.observer.waitFor(
      (s) => s.t > afterMs && (which ? s.chaos.includes(which) : s.chaos.length > 0),
      2000,
    );
    this.check(
      'fault visible in /status while active',
      seen !== undefined,
      seen ? `chaos: ${seen.chaos.join(', ')}` : `${which ?? 'a fault'} not seen`,
    );
  }

  /** Checks that /status shows no fault after `afterMs` (within 2 s). */
  async checkFaultGone(afterMs: number): Promise<void> {
    const gone = await this.observer.waitFor((s) => s.t > afterMs && s.chaos.length === 0, 2000);
    this.check(
      'fault gone from /status after stop',
      gone !== undefined,
      gone ? 'chaos: none' : 'still shown',
    );
  }

  /** Stops the load, waits (bounded) for the lanes to empty, then reads back every accepted id. */
  async finish(settleTimeoutMs: number): Promise<ExperimentResult> {
    await this.load?.stop();
    this.phase('load stopped; waiting for the lanes to empty');
    const empty = await this.observer.waitFor(
      (s) => Object.values(s.lanes).every((l) => l.depth === 0 && l.inflight === 0),
      settleTimeoutMs,
    );
    if (!empty) this.log(`lanes not empty after ${secs(settleTimeoutMs)}`);
    await this.observer.stop();
    const accounting = await this.account(Math.max(2000, settleTimeoutMs / 4));
    this.check(
      'nothing lost (checked by id)',
      accounting.holds,
      `accepted ${accounting.accepted} = completed ${accounting.completed} + dead-lettered ${accounting.deadLettered} + expired ${accounting.expired}` +
        (accounting.failed > 0 ? ` + failed ${accounting.failed}` : '') +
        `; unsettled ${accounting.unsettled}, missing ${accounting.missing}`,
    );
    const bucketMs = this.context.short ? 250 : 1000;
    return {
      experiment: this.name,
      url: this.context.url,
      startedAt: this.startedIso,
      params: this.params,
      figures: this.figures,
      invariants: this.invariants,
      accounting,
      events: [...this.observer.events].sort((a, b) => a.t - b.t),
      intervals: this.intervals(bucketMs),
      samples: this.observer.samples,
      bucketMs,
    };
  }

  record(id: string): SignalRecord | undefined {
    return this.records.get(id);
  }

  /** Lead time (created → completed) of the accepted signals sent in [fromMs, toMs), p99; 0 when none. */
  leadP99(fromMs: number, toMs: number): number {
    const leads: number[] = [];
    for (const request of this.load?.requests ?? []) {
      if (request.intendedAt < fromMs || request.intendedAt >= toMs || request.status !== 202) continue;
      const record = this.records.get(request.id);
      if (record?.status === 'completed' && record.completed_at) {
        leads.push(Date.parse(record.completed_at) - Date.parse(record.created_at));
      }
    }
    return percentile(leads, 99);
  }

  private intervals(bucketMs: number): ExperimentResult['intervals'] {
    const load = this.load;
    if (!load || load.requests.length === 0) return [];
    const end = Math.max(...load.requests.map((r) => r.intendedAt)) + bucketMs;
    const out: ExperimentResult['intervals'] = [];
    for (let from = 0; from < end; from += bucketMs) {
      out.push({ ...load.figures(from, from + bucketMs), leadP99: this.leadP99(from, from + bucketMs) });
    }
    return out;
  }

  /** Reads GET /signal/:id/status for every 202, 16 at a time; re-reads the unsettled until the time is up. */
  private async account(timeoutMs: number): Promise<Accounting> {
    const ids = this.load?.acceptedIds() ?? [];
    const deadline = performance.now() + timeoutMs;
    let todo = ids;
    for (;;) {
      const next: string[] = [];
      let index = 0;
      const worker = async () => {
        while (index < todo.length) {
          const id = todo[index++] as string;
          const record = await this.client.signal(id).catch(() => undefined);
          if (record) this.records.set(id, record);
          if (!record || !TERMINAL_STATUSES.has(record.status)) next.push(id);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      todo = next;
      if (todo.length === 0 || performance.now() >= deadline) break;
      await sleep(250);
    }
    const count = (status: string) => ids.filter((id) => this.records.get(id)?.status === status).length;
    const accounting = {
      accepted: ids.length,
      completed: count('completed'),
      deadLettered: count('dead_lettered'),
      expired: count('expired'),
      failed: count('failed'),
      unsettled: ids.filter((id) => {
        const status = this.records.get(id)?.status;
        return status !== undefined && !TERMINAL_STATUSES.has(status);
      }).length,
      missing: ids.filter((id) => !this.records.has(id)).length,
    };
    const holds =
      accounting.completed + accounting.deadLettered + accounting.expired + accounting.failed ===
        accounting.accepted && accounting.missing === 0;
    this.log(
      `checked ${ids.length} accepted ids one by one: ${holds ? 'nothing lost' : 'NOT all accounted for'}`,
    );
    return { ...accounting, holds };
  }
}

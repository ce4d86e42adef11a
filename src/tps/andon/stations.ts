import type { LaneName } from '../../domain/signal.js';
import { systemClock, type Clock } from '../clock.js';
import { laneBreakerName, type BreakerSnapshot, type Cord, type LineSnapshot } from '../jidoka/index.js';

export { laneBreakerName };

export type Level = 'green' | 'yellow' | 'red';
export type StationKind = 'api' | 'lane' | 'pool' | 'breaker' | 'queue' | 'downstream' | 'line';

export interface StationState {
  id: string;
  kind: StationKind;
  level: Level;
  /** Why the station shows its level, in words; green stations say how things stand. */
  cause: string;
}

export interface AndonInput {
  api: {
    /** Share of requests answered 5xx over the last minute, 0..1. */
    errorRate: number;
    requestsPerSecond: number;
    draining: boolean;
  };
  line: LineSnapshot;
  lanes: Array<{
    lane: LaneName;
    depth: number;
    capacity: number;
    inflight: number;
    wipLimit: number;
    deadLettered: number;
  }>;
  pools: Array<{
    pool: LaneName;
    size: number;
    busy: number;
    min: number;
    max: number;
    restartsLastMinute: number;
  }>;
  breakers: BreakerSnapshot[];
  queue: {
    backend: string;
    available: boolean;
    cause?: string;
    fallbackActive?: boolean;
    degraded?: boolean;
  };
  downstream: Array<{
    service: string;
    injectedLatencyMs: number;
    injectedErrorRate: number;
    /** Share of calls that failed, as the callers saw it, 0..1. */
    errorRate: number;
  }>;
}

/** API 5xx share at or above which the API station turns red. */
export const API_ERROR_RATE_RED = 0.05;
/** API 5xx share at or above which the API station turns yellow. */
export const API_ERROR_RATE_YELLOW = 0.01;
/** Lane fill (queued / capacity) at or above which the lane turns red. */
export const LANE_FILL_RED = 1;
/** Lane fill at or above which the lane turns yellow. */
export const LANE_FILL_YELLOW = 0.8;
/** Observed downstream failure share at or above which the service turns red. */
export const DOWNSTREAM_ERROR_RATE_RED = 0.5;

const SEVERITY: Record<Level, number> = { green: 0, yellow: 1, red: 2 };

/** The worse of the levels given; green when there are none. */
export const worstLevel = (levels: Iterable<Level>): Level => {
  let worst: Level = 'green';
  for (const level of levels) if (SEVERITY[level] > SEVERITY[worst]) worst = level;
  return worst;
};

export const stationIds = {
  api: 'api',
  line: 'line',
  queue: 'queue',
  lane: (lane: LaneName) => `lane:${lane}`,
  pool: (pool: LaneName) => `pool:${pool}`,
  breaker: (breaker: string) => `breaker:${breaker}`,
  downstream: (service: string) => `downstream:${service}`,
} as const;

interface Finding {
  level: Exclude<Level, 'green'>;
  text: string;
}

/**
 * Turns the readings of the whole system into andon stations, each green, yellow or red with its
 * cause in words. `clock` is read only to say how long until an open breaker's next probe.
 */
export function deriveStations(input: AndonInput, clock: Clock = systemClock): StationState[] {
  const now = clock.now();
  return [
    apiStation(input.api),
    lineStation(input.line),
    ...input.lanes.map((lane) => laneStation(lane, input)),
    ...input.pools.map(poolStation),
    ...input.breakers.map((breaker) => breakerStation(breaker, now)),
    queueStation(input.queue),
    ...input.downstream.map(downstreamStation),
  ];
}

/**
 * Level: the worst finding. Cause: the findings, worst first, then the summary in brackets;
 * when green, `whenGreen`.
 */
function station(
  id: string,
  kind: StationKind,
  findings: Finding[],
  summary: string,
  whenGreen = summary,
): StationState {
  if (findings.length === 0) return { id, kind, level: 'green', cause: whenGreen };
  const text = [...findings]
    .sort((a, b) => SEVERITY[b.level] - SEVERITY[a.level])
    .map((finding) => finding.text)
    .join('; ');
  return {
    id,
    kind,
    level: worstLevel(findings.map((finding) => finding.level)),
    cause: summary === '' ? text : `${text} (${summary})`,
  };
}

function apiStation(api: AndonInput['api']): StationState {
  const findings: Finding[] = [];
  if (api.draining) findings.push({ level: 'red', text: 'draining: taking no new signals' });
  if (api.errorRate >= API_ERROR_RATE_RED) {
    findings.push({ level: 'red', text: `5xx share at or above ${percent(API_ERROR_RATE_RED)}` });
  } else if (api.errorRate >= API_ERROR_RATE_YELLOW) {
    findings.push({ level: 'yellow', text: `5xx share at or above ${percent(API_ERROR_RATE_YELLOW)}` });
  }
  const rate = Math.round(api.requestsPerSecond * 10) / 10;
  return station(
    stationIds.api,
    'api',
    findings,
    `${rate} req/s, ${percent(api.errorRate)} answered 5xx over the last minute`,
  );
}

function lineStation(line: LineSnapshot): StationState {
  const findings: Finding[] = [];
  if (line.line.pulled)
    findings.push({ level: 'red', text: `whole line stopped: ${describeCord(line.line)}` });
  for (const [lane, cord] of Object.entries(line.lanes)) {
    if (cord.pulled) findings.push({ level: 'yellow', text: `lane ${lane} stopped: ${describeCord(cord)}` });
  }
  return station(stationIds.line, 'line', findings, '', 'running: no andon cord pulled');
}

function laneStation(lane: AndonInput['lanes'][number], input: AndonInput): StationState {
  const findings: Finding[] = [];
  if (input.line.line.pulled) {
    findings.push({ level: 'red', text: `whole line stopped: ${describeCord(input.line.line)}` });
  }
  const cord = input.line.lanes[lane.lane] as Cord | undefined;
  if (cord?.pulled) findings.push({ level: 'red', text: describeCord(cord) });

  const breaker = input.breakers.find((b) => b.name === laneBreakerName(lane.lane));
  if (breaker?.state === 'open') {
    findings.push({ level: 'red', text: `breaker open: ${breaker.lastFailure ?? 'cause unknown'}` });
  } else if (breaker?.state === 'half_open') {
    findings.push({ level: 'yellow', text: 'breaker probing' });
  }

  const fill = lane.capacity > 0 ? lane.depth / lane.capacity : lane.depth > 0 ? 1 : 0;
  if (fill >= LANE_FILL_RED) findings.push({ level: 'red', text: `${percent(fill)} full` });
  else if (fill >= LANE_FILL_YELLOW) findings.push({ level: 'yellow', text: `${percent(fill)} full` });

  const deadLettered = lane.deadLettered > 0 ? `, ${lane.deadLettered} dead-lettered` : '';
  return station(
    stationIds.lane(lane.lane),
    'lane',
    findings,
    `${lane.depth}/${lane.capacity} queued, ${lane.inflight}/${lane.wipLimit} in flight${deadLettered}`,
  );
}

function poolStation(pool: AndonInput['pools'][number]): StationState {
  const findings: Finding[] = [];
  if (pool.restartsLastMinute > 0) {
    findings.push({
      level: 'yellow',
      text: `${plural(pool.restartsLastMinute, 'worker restart')} in the last minute`,
    });
  }
  if (pool.size > 0 && pool.busy >= pool.size && pool.size >= pool.max) {
    findings.push({ level: 'yellow', text: 'saturated: every worker busy at the largest pool size' });
  }
  return station(
    stationIds.pool(pool.pool),
    'pool',
    findings,
    `${pool.busy}/${pool.size} workers busy, size ${pool.min}–${pool.max}`,
  );
}

function breakerStation(breaker: BreakerSnapshot, now: number): StationState {
  const findings: Finding[] = [];
  if (breaker.state === 'open') {
    const seconds = Math.max(0, Math.ceil(((breaker.nextProbeAt ?? now) - now) / 1000));
    const next = seconds === 0 ? 'probe due now' : `next probe in ${seconds} s`;
    findings.push({ level: 'red', text: `open: ${breaker.lastFailure ?? 'cause unknown'}; ${next}` });
  } else if (breaker.state === 'half_open') {
    const left = breaker.probesRemaining ?? breaker.halfOpenProbes;
    findings.push({ level: 'yellow', text: `probing: ${left} of ${breaker.halfOpenProbes} probes left` });
  }
  return station(
    stationIds.breaker(breaker.name),
    'breaker',
    findings,
    '',
    `closed: ${breaker.consecutiveFailures}/${breaker.threshold} consecutive failures; ` +
      `${breaker.totalSuccesses} calls ok, ${breaker.totalFailures} failed`,
  );
}

function queueStation(queue: AndonInput['queue']): StationState {
  const findings: Finding[] = [];
  const because = queue.cause === undefined ? '' : `: ${queue.cause}`;
  if (!queue.available) findings.push({ level: 'red', text: `${queue.backend} unavailable${because}` });
  else if (queue.fallbackActive) {
    findings.push({ level: 'yellow', text: `${queue.backend} running on its fallback${because}` });
  } else if (queue.degraded) {
    findings.push({ level: 'yellow', text: `${queue.backend} degraded${because}` });
  }
  return station(stationIds.queue, 'queue', findings, '', `${queue.backend} available`);
}

function downstreamStation(service: AndonInput['downstream'][number]): StationState {
  const findings: Finding[] = [];
  if (service.errorRate >= DOWNSTREAM_ERROR_RATE_RED) {
    findings.push({ level: 'red', text: `failing: ${percent(DOWNSTREAM_ERROR_RATE_RED)} of calls or more` });
  }
  const faults = [
    ...(service.injectedLatencyMs > 0 ? [`+${service.injectedLatencyMs} ms latency`] : []),
    ...(service.injectedErrorRate > 0 ? [`${percent(service.injectedErrorRate)} errors`] : []),
  ];
  if (faults.length > 0) findings.push({ level: 'yellow', text: `fault injected: ${faults.join(', ')}` });
  return station(
    stationIds.downstream(service.service),
    'downstream',
    findings,
    `callers see ${percent(service.errorRate)} of calls fail`,
  );
}

const describeCord = (cord: Cord): string =>
  `andon cord pulled${cord.by === undefined ? '' : ` by ${cord.by}`}: ${cord.reason ?? 'no reason given'}`;

/** A share as a percentage, rounded down to one decimal so that it never claims a threshold not reached. */
const percent = (share: number): string => `${Math.floor(share * 1000 + 1e-9) / 10}%`;

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

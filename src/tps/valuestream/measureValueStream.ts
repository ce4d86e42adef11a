import type { StageKind, ValueStream } from '../../domain/traces.js';

/** A span as the value stream sees it: when it ran and whether it was waiting or working. */
export interface StageSpan {
  start: number;
  end: number;
  stage: StageKind;
}

type Interval = [start: number, end: number];

/** Overlapping and touching intervals merged, in order. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: Interval[] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

const length = (intervals: Interval[]): number =>
  intervals.reduce((sum, [start, end]) => sum + (end - start), 0);

/**
 * The wall time some of these spans were running: nested and parallel spans count once (a worker's span and
 * its child calls are not added up).
 */
export function timeCovered(spans: readonly { start: number; end: number }[]): number {
  return length(merge(spans.map((span): Interval => [span.start, span.end])));
}

/** How much of `covered` lies inside `holes` (both merged). */
function overlap(covered: Interval[], holes: Interval[]): number {
  let total = 0;
  for (const [start, end] of covered) {
    for (const [holeStart, holeEnd] of holes) {
      total += Math.max(0, Math.min(end, holeEnd) - Math.max(start, holeStart));
    }
  }
  return total;
}

/**
 * The value stream of one signal's trace. Lead time runs from the first span's start to the last span's end;
 * process time is the time some work span was running and no wait span was (nested and parallel spans count
 * once); everything else — queue wait, retry backoff, gaps between hops — is waiting.
 */
export function measureValueStream(spans: readonly StageSpan[]): ValueStream {
  if (spans.length === 0) return { lead_time_ms: 0, process_time_ms: 0, wait_time_ms: 0, pce: 0 };
  const first = Math.min(...spans.map((span) => span.start));
  const last = Math.max(...spans.map((span) => span.end));
  const lead = last - first;
  const work = merge(spans.filter((span) => span.stage === 'work').map((span) => [span.start, span.end]));
  const wait = merge(spans.filter((span) => span.stage === 'wait').map((span) => [span.start, span.end]));
  const process = length(work) - overlap(work, wait);
  return {
    lead_time_ms: round(lead),
    process_time_ms: round(process),
    wait_time_ms: round(lead - process),
    pce: lead > 0 ? round(process / lead, 4) : 0,
  };
}

export const round = (value: number, digits = 3): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** The mean of each figure over several traces. */
export function averageValueStream(streams: readonly ValueStream[]): ValueStream & { count: number } {
  const count = streams.length;
  const mean = (pick: (stream: ValueStream) => number) =>
    count === 0 ? 0 : streams.reduce((sum, stream) => sum + pick(stream), 0) / count;
  return {
    lead_time_ms: round(mean((s) => s.lead_time_ms)),
    process_time_ms: round(mean((s) => s.process_time_ms)),
    wait_time_ms: round(mean((s) => s.wait_time_ms)),
    pce: round(
      mean((s) => s.pce),
      4,
    ),
    count,
  };
}

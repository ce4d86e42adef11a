import type { GCProfilerResult } from 'node:v8';

/** What the garbage collector saw over a stretch of time: stable under CPU contention, unlike latency. */
export interface HeapAccount {
  /** Bytes the JavaScript heap allocated. */
  allocatedBytes: number;
  /** Bytes that survived a young-generation collection into the old generation. */
  promotedBytes: number;
  scavenges: number;
  /** Full collections (mark-compact), incremental steps not counted apart. */
  markCompacts: number;
  /** Time the collector held the main thread, all kinds together. */
  pauseMs: number;
  /** The longest single collection. */
  longestPauseMs: number;
  /** Heap in use at the end of the stretch. */
  usedHeapBytes: number;
}

type Statistic = GCProfilerResult['statistics'][number];

const oldGeneration = (snapshot: Statistic['beforeGC']): number =>
  snapshot.heapSpaceStatistics
    .filter((space) => space.spaceName !== 'new_space' && space.spaceName !== 'new_large_object_space')
    .reduce((sum, space) => sum + space.spaceUsedSize, 0);

/**
 * Reads a `v8.GCProfiler` result. What was allocated is what the heap grew by plus what each collection freed:
 * every byte in use at the end, or freed on the way, was allocated in between (the profiler sees every
 * collection, so nothing is missed). Promoted is how much the old generation grew across young collections.
 */
export function heapAccount(result: GCProfilerResult, usedAtStart: number, usedAtEnd: number): HeapAccount {
  let freed = 0;
  let promoted = 0;
  let scavenges = 0;
  let markCompacts = 0;
  let pauseUs = 0;
  let longestUs = 0;
  for (const gc of result.statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    pauseUs += gc.cost;
    longestUs = Math.max(longestUs, gc.cost);
    if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep' || gc.gcType === 'MinorMarkCompact') {
      scavenges += 1;
      promoted += Math.max(0, oldGeneration(gc.afterGC) - oldGeneration(gc.beforeGC));
    } else if (gc.gcType === 'MarkSweepCompact') markCompacts += 1;
  }
  return {
    allocatedBytes: usedAtEnd - usedAtStart + freed,
    promotedBytes: promoted,
    scavenges,
    markCompacts,
    pauseMs: pauseUs / 1000,
    longestPauseMs: longestUs / 1000,
    usedHeapBytes: usedAtEnd,
  };
}

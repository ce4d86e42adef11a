import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GCProfiler, getHeapStatistics, type GCProfilerResult } from 'node:v8';
import { heapAccount } from './heapAccount.js';

type Statistic = GCProfilerResult['statistics'][number];

/** A collection as the profiler reports it, reduced to what heapAccount reads. */
function gc(gcType: string, costUs: number, before: [number, number], after: [number, number]): Statistic {
  const snapshot = ([young, old]: [number, number]) => ({
    heapStatistics: { usedHeapSize: young + old } as Statistic['beforeGC']['heapStatistics'],
    heapSpaceStatistics: [
      {
        spaceName: 'new_space',
        spaceSize: 0,
        spaceUsedSize: young,
        spaceAvailableSize: 0,
        physicalSpaceSize: 0,
      },
      {
        spaceName: 'old_space',
        spaceSize: 0,
        spaceUsedSize: old,
        spaceAvailableSize: 0,
        physicalSpaceSize: 0,
      },
    ],
  });
  return { gcType, cost: costUs, beforeGC: snapshot(before), afterGC: snapshot(after) };
}

describe('heapAccount', () => {
  it('counts as allocated what the heap grew by plus what each collection freed', () => {
    const result: GCProfilerResult = {
      version: 1,
      startTime: 0,
      endTime: 1,
      statistics: [
        // 1000 in use at the start, 10 000 before the scavenge: 9000 allocated. It frees 6000 and promotes 500.
        gc('Scavenge', 2000, [8000, 2000], [1500, 2500]),
        // 2000 more allocated; the full collection frees 3000.
        gc('MarkSweepCompact', 5000, [3500, 2500], [1500, 1500]),
        // Then 1000 more, to the 4000 in use at the end: 12 000 allocated in all.
      ],
    };
    const account = heapAccount(result, 1000, 4000);
    assert.deepEqual(account, {
      allocatedBytes: 12_000,
      promotedBytes: 500,
      scavenges: 1,
      markCompacts: 1,
      pauseMs: 7,
      longestPauseMs: 5,
      usedHeapBytes: 4000,
    });
  });

  it('sees what a real stretch of allocation did', () => {
    const profiler = new GCProfiler();
    const usedAtStart = getHeapStatistics().used_heap_size;
    profiler.start();
    let kept = 0;
    for (let i = 0; i < 200_000; i++) kept += new Array<number>(16).fill(i).length;
    const account = heapAccount(profiler.stop(), usedAtStart, getHeapStatistics().used_heap_size);
    assert.equal(kept, 3_200_000);
    // 200 000 arrays of 16 numbers are well over 200 000 × 128 bytes, and cannot fit in one young generation.
    assert.ok(account.allocatedBytes > 200_000 * 128, `allocated ${account.allocatedBytes}`);
    assert.ok(account.scavenges >= 1);
  });
});

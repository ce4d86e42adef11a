import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MinHeap } from './MinHeap.js';

describe('MinHeap', () => {
  it('pops items smallest first whatever order they were pushed in', () => {
    const heap = new MinHeap<number>((a, b) => a - b);
    const values = Array.from({ length: 200 }, (_, i) => (i * 7919) % 211);
    for (const value of values) heap.push(value);
    const popped: number[] = [];
    for (let v = heap.pop(); v !== undefined; v = heap.pop()) popped.push(v);
    assert.deepEqual(
      popped,
      [...values].sort((a, b) => a - b),
    );
    assert.equal(heap.size, 0);
  });
});

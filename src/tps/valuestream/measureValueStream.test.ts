import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averageValueStream, measureValueStream, timeCovered } from './measureValueStream.js';

describe('measureValueStream', () => {
  it('is all zeros for no spans', () => {
    assert.deepEqual(measureValueStream([]), {
      lead_time_ms: 0,
      process_time_ms: 0,
      wait_time_ms: 0,
      pce: 0,
    });
  });

  it('counts intake and processing as work and the queue between them as wait', () => {
    const stream = measureValueStream([
      { start: 0, end: 10, stage: 'work' },
      { start: 10, end: 90, stage: 'wait' },
      { start: 90, end: 100, stage: 'work' },
    ]);
    assert.deepEqual(stream, { lead_time_ms: 100, process_time_ms: 20, wait_time_ms: 80, pce: 0.2 });
  });

  it('counts nested and parallel work once', () => {
    const stream = measureValueStream([
      { start: 0, end: 50, stage: 'work' },
      { start: 10, end: 40, stage: 'work' },
      { start: 30, end: 60, stage: 'work' },
    ]);
    assert.equal(stream.process_time_ms, 60);
    assert.equal(stream.pce, 1);
  });

  it('counts a gap that no span covers (retry backoff) as wait', () => {
    const stream = measureValueStream([
      { start: 0, end: 10, stage: 'work' },
      { start: 60, end: 70, stage: 'work' },
    ]);
    assert.equal(stream.wait_time_ms, 50);
  });

  it('takes waiting out of a work span that overlaps it', () => {
    const stream = measureValueStream([
      { start: 0, end: 20, stage: 'work' },
      { start: 5, end: 30, stage: 'wait' },
    ]);
    assert.equal(stream.process_time_ms, 5);
    assert.equal(stream.wait_time_ms, 25);
  });
});

describe('averageValueStream', () => {
  it('averages each figure and counts the streams', () => {
    const average = averageValueStream([
      { lead_time_ms: 100, process_time_ms: 20, wait_time_ms: 80, pce: 0.2 },
      { lead_time_ms: 300, process_time_ms: 60, wait_time_ms: 240, pce: 0.4 },
    ]);
    assert.deepEqual(average, {
      lead_time_ms: 200,
      process_time_ms: 40,
      wait_time_ms: 160,
      pce: 0.3,
      count: 2,
    });
  });

  it('is zero over nothing', () => {
    assert.equal(averageValueStream([]).count, 0);
    assert.equal(averageValueStream([]).pce, 0);
  });
});

describe('timeCovered', () => {
  it('counts nested and overlapping spans once, and gaps not at all', () => {
    const parent = { start: 0, end: 271 };
    const child = { start: 10, end: 260 };
    assert.equal(timeCovered([parent, child]), 271);
    assert.equal(
      timeCovered([
        { start: 0, end: 10 },
        { start: 5, end: 20 },
        { start: 30, end: 40 },
      ]),
      30,
    );
    assert.equal(timeCovered([]), 0);
  });
});

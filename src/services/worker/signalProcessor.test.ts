import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { loadConfig } from '../../config/index.js';
import type { QueueMessage, SignalRecord } from '../../domain/signal.js';
import type { Delivery } from '../../queue/WorkQueue.js';
import { createMemoryStatusStore } from '../../store/memory/index.js';
import { systemClock } from '../../tps/clock.js';
import type { DownstreamClient } from '../downstream/DownstreamClient.js';
import { createSignalProcessor, type ProcessOutcome } from './signalProcessor.js';

// Work long enough against the lease that the processor renews it while the signal is worked.
const config = loadConfig({}, { leaseMs: 200, slowWorkMs: 1, downstreamTimeoutMs: 150 });

function delivery(id: string): Delivery {
  const message: QueueMessage = {
    id,
    lane: 'slow',
    signal_type: 'batch',
    payload: {},
    enqueued_at: Date.now(),
    generation: 0,
    trace_id: '0'.repeat(32),
  };
  const settled = () => Promise.resolve();
  return { message, attempt: 1, ack: settled, nak: settled, term: settled, extend: settled };
}

const record = (id: string): SignalRecord => ({
  id,
  signal_type: 'batch',
  lane: 'slow',
  status: 'queued',
  attempts: 0,
  created_at: new Date().toISOString(),
  started_at: null,
  completed_at: null,
  trace_id: '0'.repeat(32),
  generation: 0,
});

describe('signal processor', () => {
  it('leaves nothing on the worker’s life signal after the signals it renewed the lease of', async () => {
    const store = createMemoryStatusStore();
    const downstream = { call: () => Promise.resolve() } as unknown as DownstreamClient;
    const outcomes: ProcessOutcome[] = [];
    const process = createSignalProcessor({
      lane: 'slow',
      store,
      downstream,
      config,
      clock: systemClock,
      observer: { started: () => undefined, finished: (_m, outcome) => void outcomes.push(outcome) },
      tracer: trace.getTracer('test'),
    });
    const life = new AbortController().signal;
    for (let i = 0; i < 20; i++) {
      const id = `renewed-${i}`;
      await store.create(record(id));
      assert.equal(await process(delivery(id), life), 'completed');
    }
    assert.equal(outcomes.length, 20);
    assert.equal(getEventListeners(life, 'abort').length, 0);
  });
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { trace, TraceFlags, type Context } from '@opentelemetry/api';
import { loadConfig } from '../../config/index.js';
import { createMemoryWorkQueue } from '../../queue/memory/index.js';
import { createMemoryStatusStore } from '../../store/memory/index.js';
import { signalRecord } from '../../store/signalRecord.js';
import { workQueueLimits } from '../../system/workQueueLimits.js';
import { systemClock } from '../../tps/clock.js';
import type { DownstreamCallOptions, DownstreamClient } from '../downstream/DownstreamClient.js';
import { createSignalProcessor, type ProcessOutcome } from './signalProcessor.js';

// Work long enough against the lease that the processor renews it while the signal is worked.
const config = loadConfig({}, { leaseMs: 200, slowWorkMs: 1, downstreamTimeoutMs: 150 });

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
    const queue = createMemoryWorkQueue(workQueueLimits(config));
    const life = new AbortController().signal;
    for (let i = 0; i < 20; i++) {
      const { record } = await store.create(signalRecord({ signal_type: 'batch', lane: 'slow' }));
      const { id, lane, signal_type, generation, trace_id } = record;
      await queue.publish({
        id,
        lane,
        signal_type,
        generation,
        trace_id,
        payload: {},
        enqueued_at: Date.now(),
      });
      const delivery = await queue.receive('slow');
      assert.ok(delivery);
      assert.equal(await process(delivery, life), 'completed');
    }
    assert.equal(outcomes.length, 20);
    assert.equal(getEventListeners(life, 'abort').length, 0);
  });

  it('calls downstream in the message’s trace: its traceparent’s, or its trace id’s, not sampled, without one', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const contexts: (Context | undefined)[] = [];
    const downstream = {
      call: (_body: unknown, options?: DownstreamCallOptions) => {
        contexts.push(options?.trace);
        return Promise.resolve();
      },
    } as unknown as DownstreamClient;
    const store = createMemoryStatusStore();
    const process = createSignalProcessor({
      lane: 'fast',
      store,
      downstream,
      config,
      clock: systemClock,
      observer: { started: () => undefined, finished: () => undefined },
      tracer: trace.getTracer('test'),
    });
    const queue = createMemoryWorkQueue(workQueueLimits(config));
    for (const traceparent of [`00-${traceId}-00f067aa0ba902b7-01`, undefined]) {
      const { record } = await store.create(
        signalRecord({ signal_type: 'notify', lane: 'fast', trace_id: traceId }),
      );
      const { id, lane, signal_type, generation } = record;
      const message = {
        id,
        lane,
        signal_type,
        generation,
        trace_id: traceId,
        payload: {},
        enqueued_at: Date.now(),
      };
      await queue.publish(traceparent === undefined ? message : { ...message, traceparent });
      const delivery = await queue.receive('fast');
      assert.ok(delivery);
      assert.equal(await process(delivery, new AbortController().signal), 'completed');
    }
    const [fromTraceparent, fromTraceId] = contexts.map(
      (context) => context && trace.getSpanContext(context),
    );
    assert.equal(fromTraceparent?.traceId, traceId);
    assert.equal(fromTraceparent?.spanId, '00f067aa0ba902b7');
    assert.equal(fromTraceparent?.traceFlags, TraceFlags.SAMPLED);
    assert.equal(fromTraceId?.traceId, traceId);
    assert.equal(fromTraceId?.traceFlags, TraceFlags.NONE);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { startEmbeddedSystem } from '../../src/system/embedded.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { TEST_SETTINGS } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

describe('logs', () => {
  it('are JSON lines: one per state change and per failure, none per request', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const system = await startEmbeddedSystem(
      { ...TEST_SETTINGS, logLevel: 'info', circuitBreakerThreshold: 2, retryBackoffMs: 10 },
      { env: {}, logger: createLogger('info', sink) },
    );
    const send = () =>
      fetch(`${system.url}/signal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ signal_type: 'execute', payload: {} }),
      });
    try {
      const startup = lines.length;
      for (let i = 0; i < 20; i++) assert.equal((await send()).status, 202);
      await waitFor(
        async () =>
          (await system.parts.store.size()) === 20 && (await system.parts.queue.stats()).fast.inflight === 0,
      );
      assert.equal(lines.length, startup, 'successful signals log nothing');

      await system.parts.chaos.injectDownstream('service-c', { errorRate: 1 });
      await send();
      await send();
      await waitFor(() => system.parts.laneBreakers.fast.state === 'open');
      await waitFor(() => lines.some((line) => line.component === 'jidoka' && line.to === 'open'));
      const failures = lines.filter((line) => line.component === 'worker' && line.outcome === 'retried');
      assert.ok(failures.length >= 2, 'each failed attempt is logged');
      assert.match(String(failures[0]?.msg), /service-c answered 503/);
      assert.match(String(failures[0]?.trace_id), /^[0-9a-f]{32}$/);
      // The line names the span it was written in: the attempt's `process` span, in the trace it belongs to.
      assert.match(String(failures[0]?.span_id), /^[0-9a-f]{16}$/);
      const trace = (await (await fetch(`${system.url}/traces/${String(failures[0]?.trace_id)}`)).json()) as {
        spans: Array<{ span_id: string; name: string }>;
      };
      assert.equal(trace.spans.find((span) => span.span_id === failures[0]?.span_id)?.name, 'process fast');
    } finally {
      await system.close();
    }
  });
});

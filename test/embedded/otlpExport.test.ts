import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

interface ExportedSpan {
  traceId: string;
  name: string;
}
interface ResourceSpans {
  resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
  scopeSpans: Array<{ spans: ExportedSpan[] }>;
}

/** An OTLP/HTTP endpoint that keeps what it is sent (the exporter sends JSON to /v1/traces). */
function startReceiver(): Promise<{ server: Server; url: string; received: ResourceSpans[] }> {
  const received: ResourceSpans[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        received.push(...(JSON.parse(body) as { resourceSpans: ResourceSpans[] }).resourceSpans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received }),
    ),
  );
}

const serviceOf = (resource: ResourceSpans) =>
  resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue;

describe('OTLP export (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

  it('exports every span of a signal, each role a service of its own as Jaeger lists them', async () => {
    const t = await startTestSystem({ otelExporterOtlpEndpoint: receiver.url });
    let traceId = '';
    try {
      const accepted = await t.send({ signal_type: 'execute', payload: {} });
      traceId = String(accepted.body.trace_id);
      await t.waitForStatus(String(accepted.body.id), 'completed');
    } finally {
      await t.close(); // flushes the batch exporter
    }
    const spansOf = (service: string) =>
      receiver.received
        .filter((resource) => serviceOf(resource) === service)
        .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans))
        .filter((span) => span.traceId === traceId)
        .map((span) => span.name);
    await waitFor(() => spansOf('tps-downstream').length >= 5, { message: 'the downstream spans exported' });
    assert.deepEqual([...new Set(receiver.received.map(serviceOf))].sort(), [
      'tps-api',
      'tps-downstream',
      'tps-worker',
    ]);
    assert.ok(spansOf('tps-api').includes('POST /signal'));
    assert.ok(spansOf('tps-api').includes('publish fast'));
    assert.ok(
      spansOf('tps-api').includes('store create'),
      'a status write is a span of the role that writes',
    );
    assert.ok(spansOf('tps-worker').includes('process fast'));
    assert.ok(spansOf('tps-worker').includes('store update completed'));
    assert.ok(spansOf('tps-worker').includes('POST'), 'the call to service C');
    assert.deepEqual([...new Set(spansOf('tps-downstream'))].sort(), ['POST', 'POST /work']);
  });
});

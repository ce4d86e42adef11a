import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { startWorkerProcess } from '../../src/system/distributed/workerProcess.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { deleteNatsStreams } from '../support/brokerCleanup.js';
import { freePort } from '../support/processes.js';
import { NATS, POSTGRES, skipUnless } from '../support/services.js';
import { startTestSystem } from '../support/testSystem.js';
import { dropSchema } from '../support/topology.js';
import { waitFor } from '../support/waitFor.js';

const SECRETS = ['nats-secret', 'amqp-secret', 'pg-secret', 'otel-secret', 'otel-token', 'cord-secret'];

const assertNoSecret = (text: string, where: string) => {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} shows ${secret}: ${text}`);
};

/** A pino destination that keeps every line. */
function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('secrets stay secret', () => {
  it('/info shows the backend URLs with their credentials masked', async () => {
    const otelPort = await freePort();
    const t = await startTestSystem({
      natsUrl: 'nats://tps:nats-secret@127.0.0.1:4222',
      amqpUrl: 'amqp://guest:amqp-secret@127.0.0.1:5672',
      databaseUrl: 'postgres://postgres:pg-secret@127.0.0.1:5432/postgres',
      otelExporterOtlpEndpoint: `http://otel:otel-secret@127.0.0.1:${otelPort}?token=otel-token`,
    });
    try {
      const answer = await fetch(`${t.url}/info`);
      const text = await answer.text();
      assertNoSecret(text, '/info');
      const config = (JSON.parse(text) as { config: Record<string, string> }).config;
      assert.equal(config.NATS_URL, 'nats://tps:***@127.0.0.1:4222');
      assert.equal(config.OTEL_EXPORTER_OTLP_ENDPOINT, `http://otel:***@127.0.0.1:${otelPort}?token=***`);
      assert.equal(config.AMQP_URL, '(set)');
      assert.equal(config.DATABASE_URL, '(set)');
    } finally {
      await t.close();
    }
  });

  it('a worker whose URLs carry credentials logs them masked, errors that quote them included', async (t) => {
    const skip = await skipUnless(NATS, POSTGRES);
    if (skip) return t.skip(skip);
    const tag = `sec${randomBytes(4).toString('hex')}`;
    const apiPort = await freePort();
    const { lines, stream } = logSink();
    const worker = await startWorkerProcess(
      'fast',
      {
        queueBackend: 'nats',
        natsUrl: 'nats://127.0.0.1:4222',
        // PostgreSQL trusts local connections here: the password is carried, not checked.
        databaseUrl: 'postgresql://postgres:pg-secret@127.0.0.1:5432/postgres',
        databaseSchema: `tps_${tag}`,
        queuePrefix: tag,
        host: '127.0.0.1',
        workerPort: 0,
        // Nothing answers there, and fetch refuses a URL with credentials, quoting it: a warning to log.
        apiUrl: `http://op:cord-secret@127.0.0.1:${apiPort}/?token=cord-secret`,
        andonSyncMs: 50,
        logLevel: 'info',
      },
      { env: {}, logger: createLogger('info', stream) },
    );
    try {
      const warning = await waitFor(
        () => lines.find((line) => line.includes('cannot read the andon cords')),
        { timeoutMs: 10_000, message: 'the cord mirror warns' },
      );
      assert.match(warning, /http:\/\/op:\*\*\*@127\.0\.0\.1/);
      assert.ok(lines.some((line) => line.includes('worker running')));
      assertNoSecret(lines.join('\n'), 'the log');
    } finally {
      await worker.close();
      await deleteNatsStreams('nats://127.0.0.1:4222', tag);
      await dropSchema(`tps_${tag}`);
    }
  });
});

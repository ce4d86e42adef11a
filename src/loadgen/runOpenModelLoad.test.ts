import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { serveBodies, type BodyHandler, type BodyServer } from '../../test/support/bodyServer.js';
import { formatReport } from './formatReport.js';
import type { LoadReport, ProgressSnapshot } from './LoadReport.js';
import { meanRate, runOpenModelLoad as runWith, type OpenModelLoadOptions } from './runOpenModelLoad.js';
import { LOAD_CLIENTS } from './transport.js';

const servers: BodyServer[] = [];
after(() => Promise.all(servers.map((server) => server.stop())));

async function serve(handler: BodyHandler): Promise<BodyServer> {
  const server = await serveBodies(handler);
  servers.push(server);
  return server;
}

const accept: BodyHandler = (_request, _body, response) => {
  response.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"x"}');
};

const total = (report: LoadReport): number =>
  report.accepted +
  report.rejected['429'] +
  report.rejected['503'] +
  report.rejected['4xx'] +
  report.rejected['5xx'] +
  report.rejected.errors;

const body = (i: number): string => JSON.stringify({ signal_type: 'execute', payload: { i } });

describe('meanRate', () => {
  it('averages the schedule over an interval, 0 for one wholly after it', () => {
    const ramp = (elapsed: number) => (elapsed < 500 ? 100 : 300);
    assert.equal(meanRate(ramp, 0, 1000), 200);
    assert.equal(
      meanRate(() => 1000, 9000, 10_000),
      1000,
    );
    assert.equal(
      meanRate(() => 1000, 10_000, 10_000),
      0,
    );
  });
});

for (const client of LOAD_CLIENTS)
  describe(`runOpenModelLoad, sent through ${client}`, () => {
    const runOpenModelLoad = (options: OpenModelLoadOptions): Promise<LoadReport> =>
      runWith({ ...options, client });

    it('sends every scheduled request and counts every answer', async () => {
      const { url } = await serve(accept);
      const report = await runOpenModelLoad({ url, ratePerSecond: 200, durationMs: 1000, body });
      assert.equal(report.sent, 200);
      assert.equal(report.planned, 200);
      assert.equal(report.accepted, 200);
      assert.equal(total(report), report.sent);
      assert.equal(report.targetRate, 200);
      assert.ok(report.achievedRate > 170 && report.achievedRate < 230, `achieved ${report.achievedRate}/s`);
      assert.ok(report.latencyMs.p50 > 0 && report.latencyMs.p50 < 50, `p50 ${report.latencyMs.p50} ms`);
      assert.equal(report.aborted, false);
    });

    it('posts JSON to /signal marked as synthetic', async () => {
      const seen: { method?: string; url?: string; type?: string; baggage?: string; body: string }[] = [];
      const { url } = await serve((request, text, response) => {
        seen.push({
          method: request.method,
          url: request.url,
          type: request.headers['content-type'],
          baggage: request.headers.baggage as string | undefined,
          body: text,
        });
        accept(request, text, response);
      });
      await runOpenModelLoad({ url, ratePerSecond: 20, durationMs: 100, body });
      assert.equal(seen.length, 2);
      assert.deepEqual(seen[0], {
        method: 'POST',
        url: '/signal',
        type: 'application/json',
        baggage: 'synthetic_request=true',
        body: body(0),
      });
    });

    it('counts answers by status class', async () => {
      const statuses = [202, 429, 503, 400, 500, 302];
      const { url } = await serve((_request, text, response) => {
        const { payload } = JSON.parse(text) as { payload: { i: number } };
        response.writeHead(statuses[payload.i % statuses.length] ?? 200).end();
      });
      const report = await runOpenModelLoad({ url, ratePerSecond: 120, durationMs: 500, body });
      assert.equal(report.sent, 60);
      assert.equal(report.accepted, 10);
      assert.deepEqual(report.rejected, { '429': 10, '503': 10, '4xx': 10, '5xx': 10, errors: 10 });
      assert.deepEqual(report.errorKinds, { HTTP_302: 10 });
    });

    it('keeps the schedule when the target answers slowly, showing it as latency instead', async () => {
      const { url } = await serve((request, text, response) =>
        setTimeout(() => accept(request, text, response), 150),
      );
      const report = await runOpenModelLoad({ url, ratePerSecond: 100, durationMs: 1000, body });
      assert.equal(report.sent, 100);
      assert.equal(report.accepted, 100);
      // The server holds every answer 150 ms; the histogram keeps 3 significant digits and a timer may fire a
      // fraction of a millisecond early, so "about 150" is at least 145 (a stalled schedule would show ~0).
      assert.ok(report.latencyMs.p50 >= 145, `p50 ${report.latencyMs.p50} ms`);
      assert.ok(report.achievedRate > 85, `achieved ${report.achievedRate}/s`);
    });

    it('counts latency from the intended send time when connections run out', async () => {
      const { url } = await serve((request, text, response) =>
        setTimeout(() => accept(request, text, response), 100),
      );
      const report = await runOpenModelLoad({
        url,
        ratePerSecond: 40,
        durationMs: 250,
        body,
        connections: 1,
      });
      assert.equal(report.sent, 10);
      assert.equal(report.accepted, 10);
      // One connection answers the 10th request at about 1000 ms; it was meant to leave at 225 ms.
      assert.ok(report.latencyMs.max >= 700, `max ${report.latencyMs.max} ms: queueing is part of latency`);
    });

    it('gives up on a target that never answers after timeoutMs, counting errors', async () => {
      const { url } = await serve(() => {});
      const started = Date.now();
      const report = await runOpenModelLoad({
        url,
        ratePerSecond: 50,
        durationMs: 200,
        body,
        timeoutMs: 300,
      });
      assert.ok(Date.now() - started < 200 + 300 + 1000, 'the run is bounded');
      assert.equal(report.sent, 10);
      assert.equal(report.rejected.errors, 10);
      assert.equal(total(report), report.sent);
    });

    it('counts refused connections as errors', async () => {
      const server = await serve(accept);
      const { url } = server;
      await server.stop();
      const report = await runOpenModelLoad({
        url,
        ratePerSecond: 50,
        durationMs: 100,
        body,
        timeoutMs: 500,
      });
      assert.equal(report.sent, 5);
      assert.equal(report.rejected.errors, 5);
      assert.deepEqual(Object.keys(report.errorKinds), ['ECONNREFUSED']);
    });

    it('stops sending when aborted', async () => {
      const { url } = await serve(accept);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const report = await runOpenModelLoad({
        url,
        ratePerSecond: 100,
        durationMs: 5000,
        body,
        signal: controller.signal,
      });
      assert.equal(report.aborted, true);
      assert.ok(report.sent > 5 && report.sent < 100, `sent ${report.sent}`);
      assert.equal(report.accepted, report.sent);
      assert.equal(report.planned, 500);
    });

    it('reports progress while it runs', async () => {
      const { url } = await serve(accept);
      const seen: ProgressSnapshot[] = [];
      await runOpenModelLoad({
        url,
        ratePerSecond: 100,
        durationMs: 500,
        body,
        progressEveryMs: 100,
        onProgress: (progress) => seen.push(progress),
      });
      assert.ok(seen.length >= 3, `${seen.length} progress reports`);
      const last = seen.at(-1);
      assert.ok(last && last.sent > 0 && last.accepted > 0 && last.intervalP50 > 0);
    });

    it('reports the target rate of the last interval, also when sending ended inside it', async () => {
      // Answers 400 ms late, so the run outlasts its schedule and reports an interval that straddles its end.
      const { url } = await serve((request, text, response) => {
        setTimeout(() => accept(request, text, response), 400);
      });
      const seen: ProgressSnapshot[] = [];
      await runOpenModelLoad({
        url,
        ratePerSecond: 200,
        durationMs: 400,
        body,
        progressEveryMs: 300,
        onProgress: (progress) => seen.push(progress),
      });
      assert.ok(seen.length >= 2, `${seen.length} progress reports`);
      // The second interval (300–600 ms) is partly after the schedule: its target is still 200/s.
      for (const progress of seen.filter((p) => p.elapsedMs < 700)) assert.equal(progress.targetRate, 200);
    });

    it('follows a ramp of rates', async () => {
      const { url } = await serve(accept);
      const report = await runOpenModelLoad({
        url,
        ratePerSecond: (elapsed) => (elapsed < 250 ? 40 : 200),
        durationMs: 500,
        body,
      });
      assert.equal(report.sent, 10 + 50);
      assert.equal(report.accepted, 60);
    });

    it('fails the run when a body cannot be built', async () => {
      const { url } = await serve(accept);
      const broken = (i: number): string => {
        if (i === 3) throw new Error('no body for 3');
        return body(i);
      };
      await assert.rejects(
        runOpenModelLoad({ url, ratePerSecond: 100, durationMs: 200, body: broken }),
        /no body for 3/,
      );
    });

    it('refuses a target that is not on this machine', async () => {
      await assert.rejects(
        runOpenModelLoad({ url: 'http://10.1.2.3:8080', ratePerSecond: 1, durationMs: 100, body }),
        /not on this machine/,
      );
    });

    it('formats a readable report', async () => {
      const { url } = await serve(accept);
      const text = formatReport(await runOpenModelLoad({ url, ratePerSecond: 50, durationMs: 200, body }));
      assert.match(text, /^sent +10 *$/m);
      assert.match(text, /^accepted \(2xx\) +10 +100\.0%$/m);
      assert.match(text, /^latency p99 +\d/m);
    });
  });

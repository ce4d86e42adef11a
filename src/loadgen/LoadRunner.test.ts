import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadRunView } from '../domain/load.js';
import type { LoadReport } from './LoadReport.js';
import { createLoadRunner } from './LoadRunner.js';
import type { OpenModelLoadOptions } from './runOpenModelLoad.js';

const REJECTED = { '429': 2, '503': 0, '4xx': 0, '5xx': 0, errors: 0 };
const report = (aborted: boolean): LoadReport => ({
  sent: 10,
  accepted: 8,
  rejected: REJECTED,
  latencyMs: { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.5 },
  targetRate: 50,
  achievedRate: 49,
  durationMs: 200,
  planned: 1500,
  maxSendLagMs: 0,
  errorKinds: {},
  aborted,
});

/** A load generator under the test's control: it reports progress when told and ends when aborted or told. */
function scripted() {
  const calls: OpenModelLoadOptions[] = [];
  let finish: (report: LoadReport) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const run = (options: OpenModelLoadOptions) => {
    calls.push(options);
    return new Promise<LoadReport>((resolve, reject) => {
      finish = resolve;
      fail = reject;
      options.signal?.addEventListener('abort', () => resolve(report(true)));
    });
  };
  return { run, calls, finish: (r: LoadReport) => finish(r), fail: (e: Error) => fail(e) };
}

describe('LoadRunner', () => {
  it('runs the preset it is given against the url, and refuses a second run while one goes on', async () => {
    const load = scripted();
    const runner = createLoadRunner({ run: load.run, now: () => 0 });
    const first = runner.start({ preset: 'normal', mix: 'even', url: 'http://127.0.0.1:1' });
    assert.equal(first?.state, 'running');
    assert.equal(first?.planned, 1500);
    assert.equal(first?.schedule, '50 req/s for 30 s');
    assert.equal(load.calls[0]?.url, 'http://127.0.0.1:1');
    assert.equal(load.calls[0]?.ratePerSecond, 50);
    assert.match(load.calls[0]?.body(0) ?? '', /"task":"load"/);
    assert.equal(runner.start({ preset: 'spike', mix: 'even', url: 'http://127.0.0.1:1' }), undefined);
    load.finish(report(false));
    await runner.stop();
    assert.equal(runner.view().state, 'finished');
    assert.equal(runner.view().accepted, 8);
    assert.equal(runner.start({ preset: 'spike', mix: 'even', url: 'http://127.0.0.1:1' })?.preset, 'spike');
    await runner.close();
  });

  it('tells every change: start, each progress tick and the end', async () => {
    const load = scripted();
    const runner = createLoadRunner({ run: load.run, now: () => 0 });
    const seen: LoadRunView[] = [];
    const subscription = runner.onChange((view) => seen.push(view));
    runner.start({ preset: 'stress', mix: 'fast-heavy', url: 'http://127.0.0.1:1' });
    load.calls[0]?.onProgress?.({
      elapsedMs: 1000,
      sent: 50,
      completed: 49,
      inFlight: 1,
      accepted: 49,
      rejected: REJECTED,
      targetRate: 50,
      intervalRate: 50,
      intervalP50: 1,
      intervalP99: 9,
    });
    const stopped = await runner.stop();
    subscription.dispose();
    assert.deepEqual(
      seen.map((view) => [view.state, view.sent]),
      [
        ['running', 0],
        ['running', 50],
        ['stopped', 10],
      ],
    );
    assert.equal(seen[1]?.p99_ms, 9);
    assert.equal(stopped.state, 'stopped');
  });

  it('says why a run failed, and accepts the next one', async () => {
    const load = scripted();
    const runner = createLoadRunner({ run: load.run, now: () => 0 });
    runner.start({ preset: 'normal', mix: 'even', url: 'http://127.0.0.1:1' });
    load.fail(new Error('Load target is not on this machine'));
    const failed = await runner.stop();
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /not on this machine/);
    assert.ok(runner.start({ preset: 'normal', mix: 'even', url: 'http://127.0.0.1:1' }));
    await runner.close();
  });
});

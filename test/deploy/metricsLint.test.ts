/**
 * `promtool check metrics` on a live `/metrics` of the embedded system, after it has done some work (so the
 * labelled series exist): no findings. Needs Debian's `prometheus` package.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { skipWithout } from '../support/services.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

const PROMTOOL = '/usr/bin/promtool';

/** Runs `promtool check metrics` with the exposition on stdin; resolves its exit code and output. */
function checkMetrics(exposition: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

describe('/metrics', { skip: skipWithout(PROMTOOL, 'prometheus') }, () => {
  let sys: TestSystem;
  before(async () => {
    sys = await startTestSystem();
    const sent = await sys.send({ id: 'lint-1', signal_type: 'notify', payload: {} });
    assert.equal(sent.status, 202);
    await sys.waitForStatus('lint-1', 'completed');
  });
  after(() => sys.close());

  it('passes promtool check metrics with no findings', async () => {
    const page = await sys.get<string>('/metrics');
    assert.equal(page.status, 200);
    const exposition = page.body;
    assert.match(exposition, /^signals_accepted_total\{/m, 'the page has the system metrics');
    const { code, output } = await checkMetrics(exposition);
    assert.equal(output.trim(), '', `promtool findings:\n${output}`);
    assert.equal(code, 0);
  });

  it('keeps the active handles by type but not the counter-named gauges prom-client adds', async () => {
    const exposition = (await sys.get<string>('/metrics')).body;
    assert.match(exposition, /^nodejs_active_handles\{type="/m);
    assert.doesNotMatch(exposition, /^nodejs_active_(handles|requests|resources)_total/m);
  });
});

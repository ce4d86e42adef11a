import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiClient } from '../../src/cli/ApiClient.js';
import { runLoadWithProgress } from '../../src/cli/loadRun.js';
import { createStyle } from '../../src/cli/Style.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

describe('load progress lines', () => {
  let t: TestSystem;
  before(async () => {
    // Slow work and one slow worker, so the slow lane fills while the load runs.
    t = await startTestSystem({ slowWorkMs: 10_000, workerCount: 1, autoscale: false });
  });
  after(() => t.close());

  it('show the target rate and the queue depth of the moment, not of the last line', async () => {
    const lines: string[] = [];
    const out = {
      isTTY: false,
      columns: 200,
      write: (text: string) => lines.push(...text.split('\n').filter(Boolean)),
    } as unknown as NodeJS.WriteStream;
    await runLoadWithProgress({
      api: createApiClient(t.url, {}),
      style: createStyle(out, { NO_COLOR: '1' }),
      out,
      lineEveryMs: 2000,
      url: t.url,
      ratePerSecond: 20,
      durationMs: 3000,
      body: () => JSON.stringify({ signal_type: 'report', payload: {} }),
    });
    const line = lines.find((l) => l.includes('(target'));
    assert.ok(line, `a progress line in ${JSON.stringify(lines)}`);
    assert.match(line, /\(target 20\/s\)/);
    // About 40 slow signals were sent by the first line and one is worked at a time. The depth is read at
    // most a second before the line (polled each second), so it is well above 0, the depth at the start.
    const depth = Number(/slow (\d+)\/1000/.exec(line)?.[1]);
    assert.ok(depth >= 8, `slow lane depth ${depth} in: ${line}`);
  });
});

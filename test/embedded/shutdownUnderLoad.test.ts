import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, spawnRole, waitForHealthy } from '../support/processes.js';
import { waitFor } from '../support/waitFor.js';

interface Sent {
  sentAt: number;
  answeredAt?: number;
  status?: number;
  body?: { error?: { code?: string; message?: string } };
  retryAfter?: string | null;
  /** No HTTP answer: the server had closed. */
  failed?: boolean;
}

interface DrainLine {
  level: number;
  msg: string;
  finished: number;
  left: number;
  lost: number;
  grace_ms: number;
  accepted_total: number;
  completed_total: number;
}

/**
 * `tps start` as a child process on a free port with `env`, signals of `workMs` sent at `ratePerSecond` until it
 * exits, and SIGTERM once `beforeSigtermMs` of load has gone by. Answers what every request got and the child's output.
 */
async function sigtermUnderLoad(
  env: Record<string, string>,
  {
    ratePerSecond,
    beforeSigtermMs,
    workMs,
  }: { ratePerSecond: number; beforeSigtermMs: number; workMs: number },
) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const role = spawnRole(['start'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    FAST_WORK_MS: '1',
    DOWNSTREAM_LATENCY_MS: '1',
    DOWNSTREAM_HOP_LATENCY_MS: '0',
    AUTOSCALE: 'false',
    FAST_POOL_SIZE: '1',
    ...env,
  });
  try {
    await waitForHealthy(url, role);
    const sent: Sent[] = [];
    const pending: Promise<void>[] = [];
    const post = (): void => {
      const record: Sent = { sentAt: performance.now() };
      sent.push(record);
      pending.push(
        fetch(`${url}/signal`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ signal_type: 'execute', payload: { work_ms: workMs } }),
        }).then(
          async (response) => {
            record.answeredAt = performance.now();
            record.status = response.status;
            record.retryAfter = response.headers.get('retry-after');
            record.body = (await response.json()) as Sent['body'];
          },
          () => {
            record.answeredAt = performance.now();
            record.failed = true;
          },
        ),
      );
    };
    const sender = setInterval(post, 1000 / ratePerSecond);
    let sigtermAt = 0;
    let stopped: Promise<number | null> | undefined;
    try {
      await waitFor(() => sent.length >= (ratePerSecond * beforeSigtermMs) / 1000, {
        timeoutMs: beforeSigtermMs * 10,
        intervalMs: 5,
        message: 'the load before SIGTERM',
      });
      sigtermAt = performance.now();
      // Load goes on through the drain, until the process has gone.
      stopped = role.stop();
      await stopped;
    } finally {
      clearInterval(sender);
    }
    await Promise.all(pending);
    const code = await stopped;
    const output = role.output();
    return { code, output, sent, sigtermAt, drain: drainLine(output) };
  } finally {
    await role.kill();
  }
}

function drainLine(output: string): DrainLine {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as Partial<DrainLine>;
    if (parsed.msg?.startsWith('drained:')) return parsed as DrainLine;
  }
  assert.fail(`no "drained:" log line in:\n${output}`);
}

/** Every request sent once a 503 had come back was refused (or found the server closed): intake stays shut. */
function assertShutAfterFirst503(sent: Sent[]): void {
  const first503 = sent.filter((s) => s.status === 503).sort((a, b) => a.answeredAt! - b.answeredAt!)[0];
  assert.ok(first503, 'no 503 while draining');
  const later = sent.filter((s) => s.sentAt > first503.answeredAt!);
  assert.ok(later.length > 0, 'no request was sent during the drain');
  for (const s of later)
    assert.ok(s.failed || s.status === 503, `a signal sent while draining got ${s.status}`);
  for (const s of sent.filter((s) => s.status === 503)) {
    assert.equal(s.body?.error?.code, 'SHUTTING_DOWN');
    assert.equal(typeof s.body?.error?.message, 'string');
    assert.ok(Number(s.retryAfter) > 0, `Retry-After ${s.retryAfter}`);
  }
}

describe('SIGTERM under load', { timeout: 120_000 }, () => {
  it('answers 503 at once, finishes every signal it accepted within the grace, logs the counts and exits 0', async () => {
    // One worker at 20 ms a signal against 100/s: a backlog is queued when SIGTERM comes.
    const { code, output, sent, drain } = await sigtermUnderLoad(
      { SHUTDOWN_TIMEOUT_MS: '30000' },
      { ratePerSecond: 100, beforeSigtermMs: 1000, workMs: 20 },
    );
    assert.equal(code, 0, output);
    assertShutAfterFirst503(sent);
    const accepted = sent.filter((s) => s.status === 202).length;
    assert.ok(accepted > 0);
    assert.equal(drain.accepted_total, accepted, 'the system counted the 202s the client got');
    assert.ok(drain.finished > 0, 'the drain finished queued signals');
    assert.equal(drain.left, 0);
    assert.equal(drain.lost, 0);
    assert.equal(drain.completed_total, accepted, 'every accepted signal completed');
    assert.match(drain.msg, /none left/);
    assert.match(
      output,
      /draining: intake answers 503, workers finish the [1-9]\d* queued and in-flight signals/,
    );
    assert.match(output, /stopped/);
  });

  it('logs the signals left when the grace runs out as lost, and still exits 0', async () => {
    // One worker at 200 ms a signal: a 300 ms grace cannot work off a second of 100/s.
    const { code, output, sent, drain } = await sigtermUnderLoad(
      { SHUTDOWN_TIMEOUT_MS: '300' },
      { ratePerSecond: 100, beforeSigtermMs: 1000, workMs: 200 },
    );
    assert.equal(code, 0, output);
    assertShutAfterFirst503(sent);
    const accepted = sent.filter((s) => s.status === 202).length;
    assert.equal(drain.accepted_total, accepted);
    assert.ok(drain.left > 0, `left ${drain.left}`);
    assert.equal(drain.lost, drain.left);
    assert.equal(drain.grace_ms, 300);
    assert.equal(drain.level, 40, 'a loss is a warning');
    assert.match(
      drain.msg,
      new RegExp(`${drain.left} left and lost: the memory queue does not outlive the process`),
    );
    assert.equal(
      drain.completed_total + drain.left,
      accepted,
      'each accepted signal completed or was counted lost',
    );
  });
});

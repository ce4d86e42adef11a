import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import { buildTarget, startTarget, type RunningTarget } from './startTarget.js';

/**
 * Every intake bench target starts from its bundle and answers a signal as the bench expects (a 202 with an id),
 * and the ones that carry the API's route refuse a bad one as the API does: a target that broke would otherwise
 * only show when someone runs the bench.
 */
const SIGNAL = '{"signal_type":"execute","payload":{"task":"bench"}}';
const started: RunningTarget[] = [];
after(() => Promise.all(started.map((target) => target.stop(2000))));

async function start(name: string, env: NodeJS.ProcessEnv = {}): Promise<RunningTarget> {
  const target = await startTarget(name, await buildTarget(name), {
    env: { MAX_QUEUE_DEPTH: '1000', LOG_LEVEL: 'warn', ...env },
  });
  started.push(target);
  return target;
}

const post = async (target: RunningTarget, body: string) => {
  const response = await request(`${target.url}/signal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
};

describe('intake bench targets', { concurrency: true }, () => {
  for (const name of ['bare', 'fastify', 'validated', 'mechanisms', 'embedded']) {
    it(`${name} answers a signal with 202 and an id`, async () => {
      const target = await start(name);
      const accepted = await post(target, SIGNAL);
      assert.equal(accepted.status, 202);
      assert.match(String(accepted.body.id), /^[0-9a-f-]{36}$/);
      assert.ok((await target.rss()) > 0);
    });
  }

  for (const name of ['validated', 'mechanisms']) {
    it(`${name} refuses a bad signal as the API does`, async () => {
      const target = await start(name);
      const refused = await post(target, '{"signal_type":"nope","payload":{}}');
      assert.equal(refused.status, 400);
      assert.equal((refused.body.error as { code?: string } | undefined)?.code, 'VALIDATION_FAILED');
    });
  }

  it('mechanisms keeps what it accepted: the same id again is the same signal', async () => {
    const target = await start('mechanisms');
    const body = '{"signal_type":"execute","payload":{"n":1},"id":"bench-idempotent-1"}';
    assert.equal((await post(target, body)).status, 202);
    const again = await post(target, body);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, 'bench-idempotent-1');
    assert.equal(again.body.status, 'queued');
  });

  it('writes a CPU profile of the measured stretch only, when asked (bench --profile)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tps-bench-profile-'));
    try {
      const target = await start('bare', { BENCH_PROFILE_DIR: dir });
      const { result } = await target.heapDuring(() => post(target, SIGNAL));
      assert.equal(result.status, 202);
      const files = await readdir(dir);
      assert.deepEqual(
        files.map((file) => file.replace(/-\d+-/, '-<pid>-')),
        ['bare-<pid>-1.cpuprofile'],
      );
      const profile = JSON.parse(await readFile(join(dir, files[0]!), 'utf8')) as {
        nodes: unknown[];
        startTime: number;
        endTime: number;
      };
      assert.ok(profile.nodes.length > 0 && profile.endTime > profile.startTime);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

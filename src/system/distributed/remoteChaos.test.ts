import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTpsError } from '../../errors/index.js';
import { createRemoteChaos } from './remoteChaos.js';

const urls = {
  'service-a': 'http://127.0.0.1:1',
  'service-b': 'http://127.0.0.1:1',
  'service-c': 'http://127.0.0.1:1',
};

describe('distributed chaos in an API started without tps run-local', () => {
  const chaos = createRemoteChaos({ urls, cascadeLatencyMs: 4000 });
  const refusal = async (attempt: () => Promise<unknown>) => {
    const error = await attempt().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(isTpsError(error), String(error));
    return error;
  };

  it('refuses crash-worker with 501 and says to go through run-local', async () => {
    const error = await refusal(() => chaos.crashWorker('fast'));
    assert.equal(error.status, 501);
    assert.match(error.message, /tps run-local/);
  });

  it('refuses queue-down and queue-recover with 409: no broker here is ours to stop', async () => {
    for (const attempt of [() => chaos.queueDown(), () => chaos.queueRecover()]) {
      const error = await refusal(attempt);
      assert.equal(error.code, 'BROKER_NOT_OWNED');
      assert.equal(error.status, 409);
      assert.match(error.message, /never stop a broker we did not start/);
    }
    assert.deepEqual(chaos.state().active, []);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

type ErrorBody = { error: { code: string; message: string; details?: unknown } };

describe('Poka-yoke: bad input is refused with a clear error and nothing is enqueued', () => {
  let t: TestSystem;
  before(async () => {
    t = await startTestSystem({ maxPayloadBytes: 1024, maxWorkMs: 1000 });
  });
  after(() => t.close());

  const cases: Array<[string, unknown, number, string, RegExp]> = [
    [
      'an unknown signal type',
      { signal_type: 'explode', payload: {} },
      400,
      'VALIDATION_FAILED',
      /signal_type.*one of execute/,
    ],
    ['a missing signal type', { payload: {} }, 400, 'VALIDATION_FAILED', /signal_type is required/],
    ['a missing payload', { signal_type: 'execute' }, 400, 'VALIDATION_FAILED', /payload is required/],
    [
      'a payload that is not an object',
      { signal_type: 'execute', payload: 'text' },
      400,
      'VALIDATION_FAILED',
      /payload must be object/,
    ],
    [
      'an unknown field',
      { signal_type: 'execute', payload: {}, priority: 9 },
      400,
      'VALIDATION_FAILED',
      /priority is not a known field/,
    ],
    [
      'an id with spaces',
      { signal_type: 'execute', payload: {}, id: 'has space' },
      400,
      'VALIDATION_FAILED',
      /id must match/,
    ],
    [
      'a negative timeout',
      { signal_type: 'execute', payload: {}, timeout_ms: -1 },
      400,
      'VALIDATION_FAILED',
      /timeout_ms/,
    ],
    [
      'a timeout given as text',
      { signal_type: 'execute', payload: {}, timeout_ms: '100' },
      400,
      'VALIDATION_FAILED',
      /timeout_ms must be integer/,
    ],
    [
      'work beyond the cap',
      { signal_type: 'execute', payload: { work_ms: 5000 } },
      400,
      'VALIDATION_FAILED',
      /work_ms must be <= 1000/,
    ],
  ];
  for (const [what, body, status, code, message] of cases) {
    it(`answers ${status} ${code} for ${what}`, async () => {
      const answer = await t.post<ErrorBody>('/signal', body);
      assert.equal(answer.status, status);
      assert.equal(answer.body.error.code, code);
      assert.match(answer.body.error.message, message);
    });
  }

  it('answers 400 INVALID_JSON for a body that is not JSON', async () => {
    const answer = await t.post<ErrorBody>('/signal', '{"signal_type": "execute",');
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, 'INVALID_JSON');
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const answer = await t.post<ErrorBody>('/signal', 'signal_type=execute', {
      'content-type': 'text/plain',
    });
    assert.equal(answer.status, 415);
    assert.equal(answer.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await t.post<ErrorBody>('/signal', 'a=b', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415);
  });

  it('answers 413 for a body over MAX_PAYLOAD_BYTES', async () => {
    const answer = await t.post<ErrorBody>('/signal', {
      signal_type: 'execute',
      payload: { blob: 'x'.repeat(2000) },
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('enqueued none of the refused requests', async () => {
    const status = (await t.get<{ lanes: Array<{ depth: number; inflight: number }> }>('/status')).body;
    assert.ok(status.lanes.every((lane) => lane.depth === 0 && lane.inflight === 0));
    assert.equal(await t.system.parts.store.size(), 0);
    const metrics = (await t.get<string>('/metrics')).body;
    assert.doesNotMatch(metrics, /signals_accepted_total\{/);
    assert.match(metrics, /signals_rejected_total\{reason="invalid"\} [1-9]/);
  });

  it('validates admin bodies too', async () => {
    const answer = await t.post<ErrorBody>('/andon/pull', { lane: 'medium' });
    assert.equal(answer.status, 400);
    assert.match(answer.body.error.message, /lane.*one of fast, slow/);
    const chaos = await t.post<ErrorBody>('/chaos/downstream', { error_rate: 2 });
    assert.equal(chaos.status, 400);
    assert.match(chaos.body.error.message, /error_rate must be <= 1/);
  });
});

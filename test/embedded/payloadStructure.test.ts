import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';

type ErrorBody = { error: { code: string; message: string } };
type Breaker = { name: string; state: string; total_failures: number; opens: number };

/** A body as text, since a payload nested thousands deep cannot go through JSON.stringify. */
const signalBody = (payloadJson: string): string => `{"signal_type":"execute","payload":${payloadJson}}`;

/** `{"a":[[…]]}`: a payload `levels` deep (the payload object is level 1). */
const nestedPayload = (levels: number): string => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

/** `{"a":[0,0,…]}`: a payload with `members` members (the key a and its items). */
const widePayload = (members: number): string =>
  `{"a":[${Array(members - 1)
    .fill('0')
    .join(',')}]}`;

const assertContractShape = (body: unknown, code: string): void => {
  const error = (body as ErrorBody).error;
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.length > 0);
};

describe('Poka-yoke on structure: deep or wide JSON is refused before any work, and the line keeps running', () => {
  let t: TestSystem;
  before(async () => {
    // A threshold low enough that the ten refusals below would open breaker:queue if they counted.
    t = await startTestSystem({ circuitBreakerThreshold: 3 });
  });
  after(() => t.close());

  const queueBreaker = async (): Promise<Breaker | undefined> =>
    (await t.get<{ breakers: Breaker[] }>('/status')).body.breakers.find((b) => b.name === 'queue');

  it('answers 400 PAYLOAD_TOO_DEEP to a payload nesting arrays 6,000 deep', async () => {
    const answer = await t.post('/signal', signalBody(nestedPayload(6_000)));
    assert.equal(answer.status, 400);
    assertContractShape(answer.body, 'PAYLOAD_TOO_DEEP');
    assert.match((answer.body as unknown as ErrorBody).error.message, /deeper than 32/);
  });

  it('takes a payload 32 deep and refuses one 33 deep', async () => {
    const within = await t.post('/signal', signalBody(nestedPayload(32)));
    assert.equal(within.status, 202);
    const beyond = await t.post('/signal', signalBody(nestedPayload(33)));
    assert.equal(beyond.status, 400);
    assertContractShape(beyond.body, 'PAYLOAD_TOO_DEEP');
  });

  it('takes 10,000 members and refuses 10,001 with 400 PAYLOAD_TOO_MANY_KEYS', async () => {
    const within = await t.post('/signal', signalBody(widePayload(10_000)));
    assert.equal(within.status, 202);
    const beyond = await t.post('/signal', signalBody(widePayload(10_001)));
    assert.equal(beyond.status, 400);
    assertContractShape(beyond.body, 'PAYLOAD_TOO_MANY_KEYS');
  });

  it('holds every JSON body to the limits, not only POST /signal', async () => {
    const answer = await t.post('/dlq/replay', `{"ids":${'['.repeat(100)}${']'.repeat(100)}}`);
    assert.equal(answer.status, 400);
    assertContractShape(answer.body, 'PAYLOAD_TOO_DEEP');
  });

  it('after a dozen deep and wide payloads, breaker:queue is still closed and a valid signal completes', async () => {
    const hostile = [
      ...Array.from({ length: 6 }, () => signalBody(nestedPayload(6_000))),
      ...Array.from({ length: 3 }, () => signalBody(nestedPayload(33))),
      ...Array.from({ length: 3 }, () => signalBody(widePayload(10_001))),
    ];
    const answers = await Promise.all(hostile.map((body) => t.post('/signal', body)));
    assert.deepEqual(
      answers.map((answer) => answer.status),
      hostile.map(() => 400),
    );
    const breaker = await queueBreaker();
    assert.equal(breaker?.state, 'closed');
    assert.equal(breaker?.total_failures, 0);
    assert.equal(breaker?.opens, 0);

    const valid = await t.send({ signal_type: 'execute', payload: { task: 'after' } });
    assert.equal(valid.status, 202);
    await t.waitForStatus(String(valid.body.id), 'completed');
  });
});

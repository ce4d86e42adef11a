/**
 * Nothing a request can send takes the line down. Random and adversarial requests go over raw sockets to a
 * real listening embedded system; after each one, a valid signal still gets 202 (and, at the end, every one of
 * them completed) and breaker:queue is still closed. A failure prints fast-check's seed and the shrunk
 * request; `HOSTILE_SEED=<seed>` replays a run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { LANES } from '../../src/domain/signal.js';
import {
  hostileAdminCalls,
  hostileHeaders,
  hostileJsonBodies,
  hostileMethods,
  hostileUrls,
  malformedRequestLines,
  serialise,
  type HostileRequest,
} from '../support/hostileRequests.js';
import { rawRequest, type RawAnswer } from '../support/rawHttp.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';

const SEED =
  process.env.HOSTILE_SEED === undefined
    ? Date.now() ^ (Math.random() * 2 ** 31)
    : Number(process.env.HOSTILE_SEED);

/** `{"error":{"code","message"}}`, or what is wrong with the answer. */
function contractProblem(answer: RawAnswer): string | undefined {
  if (!answer.headers['content-type']?.startsWith('application/json')) {
    return `content-type ${answer.headers['content-type'] ?? '(none)'}, not application/json`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return 'the body is not JSON';
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.code !== 'string' || error.code === '') return 'no error.code string';
  if (typeof error.message !== 'string' || error.message === '') return 'no error.message string';
  if (!/^[A-Z][A-Z0-9_]*$/.test(error.code))
    return `error.code ${error.code} is not one of ours (UPPER_SNAKE)`;
  return undefined;
}

/** What the answer to one hostile request must be, as an assertion message, or undefined when it is right. */
function answerProblem(request: HostileRequest, answer: RawAnswer): string | undefined {
  const { status } = answer;
  if (status >= 500) return `answered ${status}: ${answer.body.slice(0, 300)}`;
  if (request.mustBeRefused && status < 400) {
    return `answered ${status} though it must be refused (${request.mustBeRefused})`;
  }
  if (status >= 400 && request.method === 'HEAD') {
    // A HEAD answer has the headers of the GET and no body.
    const type = answer.headers['content-type'];
    return type?.startsWith('application/json')
      ? undefined
      : `answered HEAD ${status} with content-type ${type}`;
  }
  if (status >= 400) {
    const problem = contractProblem(answer);
    return (
      problem && `answered ${status} outside the contract shape (${problem}): ${answer.body.slice(0, 200)}`
    );
  }
  // A 2xx or 3xx: JSON routes answer JSON that parses; pages, scripts and /metrics answer their own types.
  if (answer.headers['content-type']?.startsWith('application/json') && request.method !== 'HEAD') {
    try {
      JSON.parse(answer.body);
    } catch {
      return `answered ${status} with a JSON content-type and a body that does not parse`;
    }
  }
  return undefined;
}

describe('hostile input against a real listening system', { timeout: 120_000 }, () => {
  let t: TestSystem;
  let port: number;
  const accepted: string[] = [];

  before(async () => {
    t = await startTestSystem();
    port = Number(new URL(t.url).port);
    console.log(`hostile input: fast-check seed ${SEED} (replay with HOSTILE_SEED=${SEED})`);
  });
  after(async () => {
    await t.close();
  });

  /** Puts back what an admin call that got through may have changed, so that a later request is judged alone. */
  const restore = async (): Promise<void> => {
    await t.system.parts.chaos.stopAll();
    const { line, lanes } = t.system.parts.line.snapshot();
    if (line.pulled) t.system.parts.line.resetCord({ by: 'hostile-input test' });
    for (const lane of LANES) {
      if (lanes[lane].pulled) t.system.parts.line.resetCord({ lane, by: 'hostile-input test' });
    }
  };

  const queueBreakerState = async (): Promise<string | undefined> => {
    const status = await t.get<{ breakers: Array<{ name: string; state: string }> }>('/status');
    return status.body.breakers.find((breaker) => breaker.name === 'queue')?.state;
  };

  /** A load preset an admin call started cannot be stopped from here: such a state skips the run. */
  const atRest = async (): Promise<boolean> =>
    (await queueBreakerState()) === 'closed' &&
    (await t.get<{ run: { state: string } }>('/load')).body.run.state !== 'running';

  const property = (arbitrary: fc.Arbitrary<HostileRequest>, numRuns: number) =>
    fc.assert(
      fc.asyncProperty(arbitrary, async (request) => {
        await restore();
        fc.pre(await atRest());
        const outcome = await rawRequest(port, serialise(request, port), {
          head: request.method === 'HEAD',
        });
        assert.ok('answer' in outcome, `no answer: ${'failure' in outcome ? outcome.failure : ''}`);
        const problem = answerProblem(request, outcome.answer);
        if (problem) assert.fail(problem);

        const valid = await t.send({ signal_type: 'execute', payload: { task: 'after hostile input' } });
        assert.equal(
          valid.status,
          202,
          `a valid signal right after got ${valid.status}: ${JSON.stringify(valid.body)}`,
        );
        accepted.push(String(valid.body.id));
        assert.equal(await queueBreakerState(), 'closed', 'breaker:queue opened');
      }),
      {
        numRuns,
        seed: SEED,
        // The failed assertion (what the answer was) in the report, next to the shrunk request.
        includeErrorInReport: true,
        // Shrinking sends one request per step: bounded, so a failure reports within the test's time.
        interruptAfterTimeLimit: 40_000,
      },
    );

  it('answers any JSON body at POST /signal (deep, wide, odd numbers, wrong types, broken) with 2xx or a 4xx in the contract', async () => {
    await property(hostileJsonBodies, 150);
  });

  it('answers odd headers (content types, origins, huge blocks, Host variants) without a 5xx, refusing foreign Hosts', async () => {
    await property(hostileHeaders, 100);
  });

  it('answers every method, unknown ones included, in the contract', async () => {
    await property(hostileMethods, 50);
  });

  it('answers bad escapes, long ids, dot segments and query junk in the contract', async () => {
    await property(hostileUrls, 100);
  });

  it('answers a malformed request line with a 400 in the contract before closing', async () => {
    await property(malformedRequestLines, 40);
  });

  it('refuses admin calls that are cross-site, not JSON, or for a foreign Host', async () => {
    await property(hostileAdminCalls, 80);
  });

  it('completes every valid signal sent between the hostile requests', async () => {
    assert.ok(accepted.length > 0, 'no valid signal was sent');
    await waitFor(
      async () => {
        const records = await Promise.all(accepted.map((id) => t.system.parts.store.get(id)));
        return records.every((record) => record?.status === 'completed');
      },
      { timeoutMs: 30_000, intervalMs: 100, message: `all ${accepted.length} valid signals completed` },
    );
  });
});

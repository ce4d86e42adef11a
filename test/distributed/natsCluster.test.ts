import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetStreamNames, natsServers } from '../../src/queue/nats/index.js';
import { NATS_SERVER, startNatsCluster, type NatsCluster } from '../support/natsCluster.js';
import { POSTGRES, skipUnless, skipWithout } from '../support/services.js';
import { sendSignal, startTopology, statusOf, type Topology } from '../support/topology.js';
import { waitFor } from '../support/waitFor.js';

const skip = skipWithout(NATS_SERVER, 'nats-server') || (await skipUnless(POSTGRES));

/**
 * The bound intake is held to, from the SIGKILL to the last refused signal. The lane has no leader until the two
 * other servers elect one (5–7.5 s measured with nats-server 2.9: Raft's election timeout); meanwhile the
 * refusals open the API's queue breaker, which lets a probe through CIRCUIT_BREAKER_RESET_MS later (1 s here).
 */
const RECOVERY_BOUND_MS = 15_000;
/** One new signal every this many ms (50 a second), at most IN_FLIGHT unanswered at once. */
const SEND_EVERY_MS = 20;
const IN_FLIGHT = 100;
const BEFORE_KILL_MS = 2_000;
/** How long load goes on once intake has recovered (and at the latest after the kill), to show it stays up. */
const AFTER_RECOVERY_MS = 2_000;

interface Answer {
  id: string;
  sentAt: number;
  answeredAt: number;
  status: number;
  code?: string;
  retryAfter?: string | null;
}

describe(
  'distributed mode on a 3-server JetStream cluster with NATS_REPLICAS=3',
  { skip, timeout: 90_000 },
  () => {
    let cluster: NatsCluster;
    let t: Topology;
    let client: NatsConnection;
    before(async () => {
      cluster = await startNatsCluster(3);
      await cluster.waitForMetaLeader();
      t = await startTopology({
        QUEUE_BACKEND: 'nats',
        NATS_URL: cluster.natsUrl,
        NATS_REPLICAS: '3',
        LEASE_MS: '2000',
        CIRCUIT_BREAKER_RESET_MS: '1000',
      });
      client = await connect({ servers: natsServers(cluster.natsUrl) });
    });
    after(async () => {
      await client?.close();
      await t?.stop();
      await cluster?.destroy();
    });

    it('rides through SIGKILL of the lane leader’s server: a short 503 at most, nothing lost, each effect once', async () => {
      const jsm = await jetstreamManager(client);
      const lane = jetStreamNames(String(t.env.QUEUE_PREFIX)).laneStream('fast');
      const info = await waitFor(
        async () => {
          const stream = await jsm.streams.info(lane);
          return stream.cluster?.leader ? stream : undefined;
        },
        { timeoutMs: 10_000, message: `a leader for ${lane}` },
      );
      assert.equal(info.config.num_replicas, 3, 'the lane stream has 3 replicas');
      assert.equal(info.cluster?.replicas?.length, 2, 'two followers beside the leader');
      const consumer = (await jsm.consumers.list(lane).next())[0];
      assert.equal(consumer?.config.num_replicas, 3, 'the lane consumer has 3 replicas');
      const leader = cluster.node(String(info.cluster?.leader));

      const effectsUrl = `http://127.0.0.1:${String(t.env.DOWNSTREAM_PORT)}/effects`;
      const effects = async () =>
        (await (await fetch(effectsUrl)).json()) as { applied: number; duplicates: number };
      const effectsBefore = await effects();

      const answers: Answer[] = [];
      const accepted = new Set<string>();
      const refusedIds: string[] = [];
      let inFlight = 0;
      const send = async (id: string): Promise<void> => {
        inFlight += 1;
        const sentAt = Date.now();
        try {
          const answer = await sendSignal(t.apiUrl, { id, signal_type: 'execute', payload: {} });
          const code = (answer.body.error as { code?: string } | undefined)?.code;
          answers.push({
            id,
            sentAt,
            answeredAt: Date.now(),
            status: answer.status,
            ...(code ? { code, retryAfter: answer.headers.get('retry-after') } : {}),
          });
          // A client that is refused sends the same id again, as Retry-After asks (sooner, to keep the test short).
          if (answer.status === 202 || answer.status === 200) accepted.add(id);
          else refusedIds.push(id);
        } finally {
          inFlight -= 1;
        }
      };

      const started = Date.now();
      let killedAt: number | undefined;
      let sent = 0;
      const pending: Promise<void>[] = [];
      const lastRefusal = () =>
        Math.max(0, ...answers.filter((a) => a.status !== 202 && a.status !== 200).map((a) => a.answeredAt));
      for (;;) {
        const now = Date.now();
        if (killedAt === undefined && now - started >= BEFORE_KILL_MS) {
          await leader.kill();
          killedAt = Date.now();
          process.stdout.write(`killed ${leader.name}, leader of ${lane}, after ${sent} signals\n`);
        }
        if (killedAt !== undefined) {
          const quietSince = Math.max(killedAt, lastRefusal());
          if (now - quietSince >= AFTER_RECOVERY_MS && inFlight === 0 && refusedIds.length === 0) break;
          assert.ok(
            now - killedAt < RECOVERY_BOUND_MS + AFTER_RECOVERY_MS,
            'intake is still refused: the load ends',
          );
        }
        if (inFlight < IN_FLIGHT) {
          const retry = refusedIds.shift();
          pending.push(send(retry ?? `ha-${sent++}`));
        }
        await sleep(SEND_EVERY_MS);
      }
      await Promise.all(pending);

      const refused = answers.filter((a) => a.status !== 202 && a.status !== 200);
      for (const answer of refused) {
        assert.equal(
          answer.status,
          503,
          `only 503 while the cluster elects a new leader: ${JSON.stringify(answer)}`,
        );
        assert.equal(answer.code, 'QUEUE_UNAVAILABLE');
        assert.ok(Number(answer.retryAfter) >= 1, 'with Retry-After');
      }
      const killed = killedAt ?? 0;
      const recoveredAfterMs = refused.length === 0 ? 0 : lastRefusal() - killed;
      const firstRefusalMs = Math.min(...refused.map((a) => a.answeredAt)) - killed;
      const slowest = Math.max(...answers.map((a) => a.answeredAt - a.sentAt));
      process.stdout.write(
        `outage: intake answered 503 from ${firstRefusalMs} to ${recoveredAfterMs} ms after the SIGKILL ` +
          `(${refused.length} of ${answers.length} answers); slowest answer ${slowest} ms\n`,
      );
      assert.ok(recoveredAfterMs <= RECOVERY_BOUND_MS, `intake recovered within ${RECOVERY_BOUND_MS} ms`);
      assert.equal(accepted.size, sent, 'every signal sent was accepted in the end');

      const finals = await waitFor(
        async () => {
          const records = await Promise.all([...accepted].map((id) => statusOf(t.apiUrl, id)));
          return records.every((r) => r.status === 'completed' || r.status === 'dead_lettered')
            ? records
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, message: 'every accepted signal completed or dead-lettered' },
      );
      const completed = finals.filter((r) => r.status === 'completed').map((r) => String(r.id));
      const deadLettered = finals.filter((r) => r.status === 'dead_lettered').map((r) => String(r.id));
      assert.deepEqual(
        new Set([...completed, ...deadLettered]),
        accepted,
        'accepted = completed + dead-lettered, by id',
      );
      const effectsAfter = await effects();
      process.stdout.write(
        `${accepted.size} accepted: ${completed.length} completed, ${deadLettered.length} dead-lettered; ` +
          `${effectsAfter.duplicates - effectsBefore.duplicates} repeated calls reached service A and were not applied again\n`,
      );
      assert.equal(
        effectsAfter.applied - effectsBefore.applied,
        completed.length,
        'one effect per completed signal',
      );
    });
  },
);

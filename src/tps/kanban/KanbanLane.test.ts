import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LaneName, QueueMessage } from '../../domain/signal.js';
import { ManualClock } from '../clock.js';
import { KanbanLane, type KanbanLaneLimits, type LeasedItem } from './KanbanLane.js';

const message = (id: string, generation = 0, lane: LaneName = 'fast'): QueueMessage => ({
  id,
  lane,
  signal_type: lane === 'fast' ? 'execute' : 'report',
  payload: {},
  enqueued_at: 0,
  generation,
  trace_id: `trace-${id}`,
});

const setup = (limits: Partial<KanbanLaneLimits> = {}) => {
  const clock = new ManualClock(1_000);
  const lane = new KanbanLane(
    { maxDepth: 10, wipLimit: 10, leaseMs: 1_000, maxDeliver: 3, ...limits },
    clock,
  );
  return { clock, lane };
};

const taken = (item: LeasedItem | undefined): LeasedItem => {
  assert.ok(item, 'expected a delivery');
  return item;
};

describe('KanbanLane', () => {
  it('admits messages up to maxDepth and refuses the next one as full', () => {
    const { lane } = setup({ maxDepth: 2 });
    assert.equal(lane.offer(message('a')), 'accepted');
    assert.equal(lane.offer(message('b')), 'accepted');
    assert.equal(lane.offer(message('c')), 'full');
    assert.equal(lane.depth, 2);
  });

  it('admits again once a waiting message has been taken', () => {
    const { lane } = setup({ maxDepth: 1 });
    lane.offer(message('a'));
    taken(lane.take());
    assert.equal(lane.offer(message('b')), 'accepted');
  });

  it('treats the same (id, generation) waiting or in flight as a duplicate, and a new generation as new', () => {
    const { lane } = setup();
    assert.equal(lane.offer(message('a')), 'accepted');
    assert.equal(lane.offer(message('a')), 'duplicate');
    taken(lane.take());
    assert.equal(lane.offer(message('a')), 'duplicate', 'in flight still counts');
    assert.equal(lane.offer(message('a', 1)), 'accepted');
    assert.equal(lane.depth, 1);
  });

  it('answers duplicate rather than full for a message already in a full lane', () => {
    const { lane } = setup({ maxDepth: 1 });
    lane.offer(message('a'));
    assert.equal(lane.offer(message('a')), 'duplicate');
  });

  it('hands messages out in the order they arrived', () => {
    const { lane } = setup();
    for (const id of ['a', 'b', 'c', 'd']) lane.offer(message(id));
    const order = [1, 2, 3, 4].map(() => taken(lane.take()).message.id);
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
  });

  it('hands out no more than wipLimit deliveries until one is settled', () => {
    const { lane } = setup({ wipLimit: 2 });
    for (const id of ['a', 'b', 'c']) lane.offer(message(id));
    const first = taken(lane.take());
    taken(lane.take());
    assert.equal(lane.take(), undefined);
    assert.equal(lane.inflight, 2);
    assert.equal(lane.ack(first.token), true);
    assert.equal(taken(lane.take()).message.id, 'c');
  });

  it('forgets an acked message: no redelivery, and its key may be offered again', () => {
    const { clock, lane } = setup();
    lane.offer(message('a'));
    const delivery = taken(lane.take());
    assert.equal(lane.ack(delivery.token), true);
    assert.equal(lane.inflight, 0);
    assert.equal(lane.depth, 0);
    clock.advance(10_000);
    assert.deepEqual(lane.expireLeases(), { redelivered: [], deadLettered: [] });
    assert.equal(lane.take(), undefined);
    assert.equal(lane.nextWakeAt(), undefined);
    assert.equal(lane.offer(message('a')), 'accepted');
  });

  it('redelivers a nak’ed message only after its delay, with attempt + 1', () => {
    const { clock, lane } = setup();
    lane.offer(message('a'));
    const first = taken(lane.take());
    assert.deepEqual(lane.nak(first.token, 500), { kind: 'requeued', readyAt: 1_500 });
    assert.equal(lane.depth, 1, 'a delayed message still counts as waiting');
    assert.equal(lane.nextWakeAt(), 1_500);
    assert.equal(lane.take(), undefined);
    clock.advance(499);
    assert.equal(lane.take(), undefined);
    clock.advance(1);
    const second = taken(lane.take());
    assert.equal(second.message.id, 'a');
    assert.equal(second.attempt, 2);
  });

  it('lets fresh messages pass a message whose nak delay has not elapsed', () => {
    const { lane } = setup();
    lane.offer(message('a'));
    lane.offer(message('b'));
    lane.nak(taken(lane.take()).token, 1_000);
    assert.equal(taken(lane.take()).message.id, 'b');
  });

  it('redelivers a nak’ed message without delay ahead of fresh ones', () => {
    const { lane } = setup();
    lane.offer(message('a'));
    lane.offer(message('b'));
    lane.nak(taken(lane.take()).token);
    const again = taken(lane.take());
    assert.equal(again.message.id, 'a');
    assert.equal(again.attempt, 2);
  });

  it('releases delayed messages in the order their delays end', () => {
    const { clock, lane } = setup();
    for (const id of ['a', 'b', 'c']) lane.offer(message(id));
    const [a, b, c] = [1, 2, 3].map(() => taken(lane.take()));
    lane.nak(taken(a).token, 300);
    lane.nak(taken(b).token, 100);
    lane.nak(taken(c).token, 200);
    clock.advance(300);
    assert.deepEqual(
      [1, 2, 3].map(() => taken(lane.take()).message.id),
      ['b', 'c', 'a'],
    );
  });

  it('redelivers a delivery whose lease expired, as attempt 2', () => {
    const { clock, lane } = setup({ leaseMs: 1_000 });
    lane.offer(message('a'));
    const first = taken(lane.take());
    assert.equal(first.leaseUntil, 2_000);
    assert.equal(lane.nextWakeAt(), 2_000);
    clock.advance(999);
    assert.deepEqual(lane.expireLeases().redelivered, []);
    clock.advance(1);
    const expired = lane.expireLeases();
    assert.deepEqual(
      expired.redelivered.map((m) => m.id),
      ['a'],
    );
    assert.equal(lane.inflight, 0);
    const second = taken(lane.take());
    assert.equal(second.attempt, 2);
    assert.notEqual(second.token, first.token);
  });

  it('keeps a lease alive while it is extended', () => {
    const { clock, lane } = setup({ leaseMs: 1_000 });
    lane.offer(message('a'));
    const delivery = taken(lane.take());
    clock.advance(800);
    assert.equal(lane.extend(delivery.token), true);
    assert.equal(lane.nextWakeAt(), 2_800);
    clock.advance(800);
    assert.deepEqual(lane.expireLeases().redelivered, []);
    assert.equal(lane.ack(delivery.token), true);
  });

  it('expires leases in order even after an extend reorders them', () => {
    const { clock, lane } = setup({ leaseMs: 1_000 });
    lane.offer(message('a'));
    lane.offer(message('b'));
    const a = taken(lane.take());
    clock.advance(100);
    taken(lane.take());
    clock.advance(100);
    lane.extend(a.token);
    assert.equal(lane.nextWakeAt(), 2_100);
    clock.set(2_100);
    assert.deepEqual(
      lane.expireLeases().redelivered.map((m) => m.id),
      ['b'],
    );
    assert.equal(lane.nextWakeAt(), 2_200);
  });

  it('rejects a stale token once the lease expired: the redelivered copy owns the message', () => {
    const { clock, lane } = setup({ leaseMs: 1_000 });
    lane.offer(message('a'));
    const first = taken(lane.take());
    clock.advance(1_000);
    lane.expireLeases();
    const second = taken(lane.take());
    assert.equal(lane.ack(first.token), false);
    assert.equal(lane.term(first.token), false);
    assert.equal(lane.extend(first.token), false);
    assert.deepEqual(lane.nak(first.token), { kind: 'stale' });
    assert.equal(lane.inflight, 1);
    assert.equal(lane.ack(second.token), true);
    assert.equal(lane.inflight, 0);
  });

  it('rejects a token that was already settled', () => {
    const { lane } = setup();
    lane.offer(message('a'));
    const delivery = taken(lane.take());
    assert.equal(lane.ack(delivery.token), true);
    assert.equal(lane.ack(delivery.token), false);
  });

  it('dead-letters the redelivery after maxDeliver expired leases, with the reason', () => {
    const { clock, lane } = setup({ maxDeliver: 2, leaseMs: 1_000 });
    lane.offer(message('a'));
    assert.equal(taken(lane.take()).attempt, 1);
    clock.advance(1_000);
    assert.equal(lane.expireLeases().redelivered.length, 1);
    assert.equal(taken(lane.take()).attempt, 2);
    clock.advance(1_000);
    const expired = lane.expireLeases();
    assert.deepEqual(expired.redelivered, []);
    const [deadLetter] = expired.deadLettered;
    assert.ok(deadLetter);
    assert.equal(deadLetter.message.id, 'a');
    assert.equal(deadLetter.attempts, 2);
    assert.equal(deadLetter.at, 3_000);
    assert.match(deadLetter.reason, /2 times/);
    assert.match(deadLetter.reason, /lease expired/);
    assert.equal(lane.deadLettered, 1);
    assert.equal(lane.depth, 0);
    assert.equal(lane.take(), undefined);
  });

  it('dead-letters at once a message nak’ed on its last delivery', () => {
    const { lane } = setup({ maxDeliver: 1 });
    lane.offer(message('a'));
    const result = lane.nak(taken(lane.take()).token, 5_000);
    assert.equal(result.kind, 'dead_lettered');
    assert.ok(result.kind === 'dead_lettered' && /nak/.test(result.deadLetter.reason));
    assert.equal(lane.depth, 0);
    assert.equal(lane.nextWakeAt(), undefined);
  });

  it('drops a terminated message without dead-lettering it', () => {
    const { clock, lane } = setup();
    lane.offer(message('a'));
    assert.equal(lane.term(taken(lane.take()).token), true);
    clock.advance(10_000);
    assert.deepEqual(lane.expireLeases(), { redelivered: [], deadLettered: [] });
    assert.equal(lane.deadLettered, 0);
    assert.equal(lane.depth, 0);
    assert.equal(lane.inflight, 0);
  });

  it('lists dead letters newest first, and a newer one of the same id replaces the older', () => {
    const { clock, lane } = setup({ maxDeliver: 1 });
    for (const [id, generation] of [
      ['a', 0],
      ['b', 0],
      ['a', 1],
    ] as const) {
      lane.offer(message(id, generation));
      lane.nak(taken(lane.take()).token);
      clock.advance(10);
    }
    assert.deepEqual(
      lane.listDeadLetters().map((d) => `${d.message.id}#${d.message.generation}`),
      ['a#1', 'b#0'],
    );
    assert.equal(lane.listDeadLetters(1).length, 1);
  });

  it('replays dead letters as generation + 1 while they fit, and keeps the rest', () => {
    const { lane } = setup({ maxDeliver: 1, maxDepth: 2 });
    for (const id of ['a', 'b', 'c']) {
      lane.offer(message(id));
      lane.nak(taken(lane.take()).token);
    }
    lane.offer(message('x'));
    const moved = lane.replayDeadLetters();
    assert.deepEqual(
      moved.map((d) => d.message.id),
      ['a'],
    );
    assert.deepEqual(
      lane.listDeadLetters().map((d) => d.message.id),
      ['c', 'b'],
    );
    taken(lane.take());
    const replayed = taken(lane.take());
    assert.equal(replayed.message.id, 'a');
    assert.equal(replayed.message.generation, 1);
    assert.equal(replayed.attempt, 1);
  });

  it('replays only the dead letters asked for', () => {
    const { lane } = setup({ maxDeliver: 1 });
    for (const id of ['a', 'b']) {
      lane.offer(message(id));
      lane.nak(taken(lane.take()).token);
    }
    assert.deepEqual(
      lane.replayDeadLetters(['b', 'unknown']).map((d) => d.message.id),
      ['b'],
    );
    assert.equal(lane.deadLettered, 1);
    assert.equal(lane.depth, 1);
  });

  it('takes back a redelivery past maxDepth rather than lose it', () => {
    const { clock, lane } = setup({ maxDepth: 1, leaseMs: 1_000 });
    lane.offer(message('a'));
    taken(lane.take());
    lane.offer(message('b'));
    clock.advance(1_000);
    lane.expireLeases();
    assert.equal(lane.depth, 2);
    assert.equal(lane.offer(message('c')), 'full');
  });

  it('refuses limits that could never deliver', () => {
    const clock = new ManualClock();
    assert.throws(
      () => new KanbanLane({ maxDepth: 1, wipLimit: 0, leaseMs: 1, maxDeliver: 1 }, clock),
      RangeError,
    );
    assert.throws(
      () => new KanbanLane({ maxDepth: 1, wipLimit: 1, leaseMs: 0, maxDeliver: 1 }, clock),
      RangeError,
    );
  });
});

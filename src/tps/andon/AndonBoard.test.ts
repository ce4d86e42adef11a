import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../clock.js';
import { createAndonBoard, type AndonEvent } from './AndonBoard.js';
import type { Level, StationState } from './stations.js';

const api = (level: Level, cause = `api ${level}`): StationState => ({
  id: 'api',
  kind: 'api',
  level,
  cause,
});
const queue = (level: Level, cause = `queue ${level}`): StationState => ({
  id: 'queue',
  kind: 'queue',
  level,
  cause,
});

describe('AndonBoard', () => {
  it('shows the stations it was given, each with the time it took its level', () => {
    const clock = new ManualClock(1_000);
    const board = createAndonBoard({ clock });
    board.update([api('green'), queue('yellow')]);
    assert.deepEqual(board.stations(), [
      { ...api('green'), since: 1_000 },
      { ...queue('yellow'), since: 1_000 },
    ]);
  });

  it('keeps since when a station keeps its level and only the cause changes', () => {
    const clock = new ManualClock(1_000);
    const board = createAndonBoard({ clock });
    board.update([api('green', '10 req/s')]);
    clock.advance(5_000);
    const changes = board.update([api('green', '12 req/s')]);
    assert.deepEqual(changes, []);
    assert.deepEqual(board.stations(), [{ ...api('green', '12 req/s'), since: 1_000 }]);
  });

  it('moves since and emits one event when a level changes', () => {
    const clock = new ManualClock(1_000);
    const board = createAndonBoard({ clock });
    const emitted: AndonEvent[] = [];
    board.onEvent((event) => emitted.push(event));
    board.update([api('green'), queue('green')]);
    clock.advance(2_000);
    const changes = board.update([api('red', 'draining'), queue('green', 'still fine')]);
    const expected = { at: 3_000, station: 'api', from: 'green', to: 'red', message: 'draining' };
    assert.deepEqual(changes, [expected]);
    assert.deepEqual(emitted, [expected]);
    assert.equal(board.stations()[0]?.since, 3_000);
    assert.equal(board.stations()[1]?.since, 1_000);
  });

  it('emits an event for a station that first appears yellow or red, not green', () => {
    const board = createAndonBoard({ clock: new ManualClock(0) });
    const changes = board.update([api('green'), queue('red', 'nats unavailable')]);
    assert.deepEqual(changes, [{ at: 0, station: 'queue', to: 'red', message: 'nats unavailable' }]);
  });

  it('drops stations that are no longer given', () => {
    const board = createAndonBoard({ clock: new ManualClock(0) });
    board.update([api('green'), queue('red')]);
    board.update([api('green')]);
    assert.deepEqual(
      board.stations().map((station) => station.id),
      ['api'],
    );
    assert.equal(board.overall(), 'green');
  });

  it('records free events beside the level changes, newest first', () => {
    const clock = new ManualClock(0);
    const board = createAndonBoard({ clock });
    board.update([api('yellow', 'errors')]);
    clock.advance(1_000);
    board.record({ station: 'pool:fast', level: 'yellow', message: 'worker 3 restarted' });
    assert.deepEqual(board.events(), [
      { at: 1_000, station: 'pool:fast', to: 'yellow', message: 'worker 3 restarted' },
      { at: 0, station: 'api', to: 'yellow', message: 'errors' },
    ]);
    assert.deepEqual(board.stations(), [{ ...api('yellow', 'errors'), since: 0 }]);
  });

  it('keeps at most maxEvents events, dropping the oldest', () => {
    const board = createAndonBoard({ clock: new ManualClock(0), maxEvents: 3 });
    for (let i = 1; i <= 5; i++) board.record({ station: 'chaos', level: 'yellow', message: `fault ${i}` });
    assert.deepEqual(
      board.events().map((event) => event.message),
      ['fault 5', 'fault 4', 'fault 3'],
    );
    assert.deepEqual(
      board.events(2).map((event) => event.message),
      ['fault 5', 'fault 4'],
    );
  });

  it('keeps 200 events unless told otherwise', () => {
    const board = createAndonBoard({ clock: new ManualClock(0) });
    for (let i = 0; i < 250; i++) board.record({ station: 'chaos', level: 'yellow', message: `fault ${i}` });
    assert.equal(board.events().length, 200);
  });

  it('shows the worst level of all stations overall, green when empty', () => {
    const board = createAndonBoard({ clock: new ManualClock(0) });
    assert.equal(board.overall(), 'green');
    board.update([api('green'), queue('yellow')]);
    assert.equal(board.overall(), 'yellow');
    board.update([api('red'), queue('yellow')]);
    assert.equal(board.overall(), 'red');
  });
});

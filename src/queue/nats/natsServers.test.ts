import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { natsServers } from './natsServers.js';

describe('natsServers', () => {
  it('reads one server as a list of one', () => {
    assert.deepEqual(natsServers('nats://127.0.0.1:4222'), ['nats://127.0.0.1:4222']);
  });

  it('splits a comma list and trims the spaces around each server', () => {
    assert.deepEqual(natsServers('nats://a:4222, nats://b:4222 ,nats://c:4222'), [
      'nats://a:4222',
      'nats://b:4222',
      'nats://c:4222',
    ]);
  });
});

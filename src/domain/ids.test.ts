import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newSignalId, newTraceId } from './ids.js';

test('a signal id is a version 4 UUID, fresh each time', () => {
  const ids = Array.from({ length: 1000 }, newSignalId);
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
});

test('a trace id is 32 lower-case hex digits, not all zero, fresh each time', () => {
  const ids = Array.from({ length: 1000 }, newTraceId);
  for (const id of ids) {
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.notEqual(id, '0'.repeat(32));
  }
  assert.equal(new Set(ids).size, ids.length);
});

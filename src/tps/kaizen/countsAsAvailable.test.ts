import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsAsAvailable } from './countsAsAvailable.js';

describe('countsAsAvailable', () => {
  it('counts 2xx good and 5xx bad for availability, and no 4xx or 3xx at all', () => {
    assert.equal(countsAsAvailable(202), true);
    assert.equal(countsAsAvailable(200), true);
    for (const status of [500, 503]) assert.equal(countsAsAvailable(status), false);
    for (const status of [301, 400, 409, 413, 415, 429]) assert.equal(countsAsAvailable(status), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskCancelledError } from 'cockatiel';
import {
  DownstreamError,
  QueueFullError,
  QueueUnavailableError,
  UnrecoverableError,
} from '../../errors/index.js';
import { describeFailure } from './describeFailure.js';
import { isTrippingFailure } from './isTrippingFailure.js';

describe('isTrippingFailure', () => {
  it('counts 5xx answers and calls that got no answer', () => {
    assert.equal(isTrippingFailure(new DownstreamError('service-c', 500, 'boom')), true);
    assert.equal(isTrippingFailure(new DownstreamError('service-c', 503, 'busy')), true);
    assert.equal(isTrippingFailure(new DownstreamError('service-c', undefined, 'ECONNREFUSED')), true);
  });

  it('counts timeouts, an unavailable queue and errors it does not know', () => {
    assert.equal(isTrippingFailure(new TaskCancelledError('Operation timed out after 10ms')), true);
    assert.equal(isTrippingFailure(new QueueUnavailableError()), true);
    assert.equal(isTrippingFailure(new TypeError('x is undefined')), true);
    assert.equal(isTrippingFailure('a string'), true);
  });

  it('does not count 4xx answers nor a processor giving up on purpose', () => {
    assert.equal(isTrippingFailure(new DownstreamError('service-c', 400, 'bad request')), false);
    assert.equal(isTrippingFailure(new DownstreamError('service-c', 429, 'slow down')), false);
    assert.equal(isTrippingFailure(new UnrecoverableError('payload cannot be processed')), false);
  });

  it('does not count a full lane: that is back-pressure, not a failing queue backend', () => {
    assert.equal(isTrippingFailure(new QueueFullError('fast', 1000, 1000)), false);
  });
});

describe('describeFailure', () => {
  it('says who answered what, or who did not answer', () => {
    assert.equal(describeFailure(new DownstreamError('service-c', 500, 'boom')), 'service-c answered 500');
    const refused = 'service-b did not answer: Error: connect ECONNREFUSED 127.0.0.1:8092';
    assert.equal(describeFailure(new DownstreamError('service-b', undefined, refused)), refused);
  });

  it('names timeouts, other errors and things thrown that are not errors', () => {
    assert.equal(describeFailure(new TaskCancelledError()), 'timed out');
    assert.equal(
      describeFailure(new QueueUnavailableError('nats is down')),
      'QueueUnavailableError: nats is down',
    );
    assert.equal(describeFailure(42), 'non-error thrown: 42');
  });
});

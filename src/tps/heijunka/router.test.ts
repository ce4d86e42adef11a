import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRouter, parseRoutes } from './router.js';

describe('router', () => {
  it('routes interactive types to the fast lane and bulk types to the slow lane by default', () => {
    const router = createRouter();
    for (const type of ['execute', 'validate', 'notify'] as const) assert.equal(router.route(type), 'fast');
    for (const type of ['report', 'batch', 'analyze'] as const) assert.equal(router.route(type), 'slow');
  });

  it('lets overrides move a type and keeps the defaults for the rest', () => {
    const router = createRouter({ report: 'fast' });
    assert.equal(router.route('report'), 'fast');
    assert.equal(router.route('batch'), 'slow');
    assert.equal(router.route('execute'), 'fast');
  });

  it('parses type=lane pairs, tolerating spaces and empty parts', () => {
    assert.deepEqual(parseRoutes(' execute = slow , report=fast,'), { execute: 'slow', report: 'fast' });
    assert.deepEqual(parseRoutes(''), {});
  });

  it('refuses a part without "=" and names it', () => {
    assert.throws(() => parseRoutes('execute=fast,report'), /"report" is not of the form type=lane/);
  });

  it('refuses an unknown signal type and says which ones it accepts', () => {
    assert.throws(() => parseRoutes('exec=fast'), /unknown signal type "exec".*execute, validate/);
  });

  it('refuses an unknown lane and says which ones it accepts', () => {
    assert.throws(() => parseRoutes('execute=medium'), /"execute=medium".*unknown lane "medium".*fast, slow/);
  });

  it('refuses two contradicting routes for one type', () => {
    assert.throws(() => parseRoutes('execute=fast,execute=slow'), /"execute=slow" contradicts/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment scaling (short)', () => {
  it(
    'grows the fast pool under the rise and shrinks it after the fall; nothing lost',
    { timeout: 30_000 },
    async () => {
      const result = await runShort('scaling', {
        fastPoolSize: 2,
        poolMax: 12,
        scaleStep: 2,
        scaleCooldownMs: 200,
        scaleIdleMs: 300,
      });
      invariant(result, 'the pool grew after the rise');
      invariant(result, 'the pool shrank after the fall');
      invariant(result, 'nothing lost (checked by id)');
      const figure = (name: string) => result.figures.find((f) => f.name === name)?.value;
      assert.ok(Number(figure('fast pool peak size')) > 2);
      assert.equal(typeof figure('rise → first scale-up'), 'number');
      assert.equal(typeof figure('fall → first scale-down'), 'number');
      assert.ok(
        result.samples.some((s) => (s.pools.fast?.size ?? 0) > 2),
        'pool size over time is in the samples',
      );
    },
  );
});

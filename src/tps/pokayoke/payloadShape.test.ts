import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { inspectBody, inspectPayload } from './payloadShape.js';

/** The obvious recursive measure, as a reference for the walk (fine for the small values fast-check makes). */
function reference(value: unknown): { depth: number; members: number } {
  if (typeof value !== 'object' || value === null) return { depth: 0, members: 0 };
  const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  let depth = 0;
  let members = children.length;
  for (const child of children) {
    const measured = reference(child);
    depth = Math.max(depth, measured.depth);
    members += measured.members;
  }
  return { depth: depth + 1, members };
}

const nestedArrays = (levels: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
};

const wide = { maxDepth: 1_000, maxMembers: 1_000_000 };

describe('inspectPayload', () => {
  it('measures the depth and members any JSON value has, as the recursive definition does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shape = inspectPayload(value, wide);
        assert.ok(shape.ok);
        const expected = reference(value);
        assert.equal(shape.depth, expected.depth);
        assert.equal(shape.members, expected.members);
      }),
    );
  });

  it('accepts a value exactly when it is within both limits', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        (value, maxDepth, maxMembers) => {
          const shape = inspectPayload(value, { maxDepth, maxMembers });
          const { depth, members } = reference(value);
          assert.equal(shape.ok, depth <= maxDepth && members <= maxMembers);
          if (shape.ok) return;
          // Over both limits, the walk names the one it meets first.
          const possible = [depth > maxDepth && 'too_deep', members > maxMembers && 'too_many_members'];
          assert.ok(possible.includes(shape.problem));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses arrays nested 100,000 deep without overflowing the stack', () => {
    const value = nestedArrays(100_000);
    assert.throws(() => JSON.stringify(value), RangeError);
    const shape = inspectPayload(value, { maxDepth: 32, maxMembers: 10_000 });
    assert.deepEqual(shape.ok ? 'ok' : shape.problem, 'too_deep');
  });

  it('counts 32 levels as within a limit of 32 and 33 as beyond it', () => {
    assert.ok(inspectPayload(nestedArrays(32), { maxDepth: 32, maxMembers: 100 }).ok);
    const beyond = inspectPayload(nestedArrays(33), { maxDepth: 32, maxMembers: 100 });
    assert.equal(beyond.ok ? 'ok' : beyond.problem, 'too_deep');
  });

  it('counts members at every level', () => {
    const value = { a: [1, 2, 3], b: { c: { d: null } } };
    const shape = inspectPayload(value, wide);
    assert.ok(shape.ok);
    assert.equal(shape.members, 7);
    const over = inspectPayload(value, { maxDepth: 10, maxMembers: 6 });
    assert.equal(over.ok ? 'ok' : over.problem, 'too_many_members');
  });

  it('says what JSON cannot carry instead of throwing', () => {
    const getter = {
      get boom(): never {
        throw new Error('no');
      },
    };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: [unknown, string][] = [
      [getter, 'not_json'],
      [{ n: 10n }, 'not_json'],
      [{ f: () => 1 }, 'not_json'],
      [{ when: new Date(0) }, 'not_json'],
      [cyclic, 'too_deep'],
    ];
    for (const [value, problem] of cases) {
      const shape = inspectPayload(value, { maxDepth: 32, maxMembers: 10_000 });
      assert.equal(shape.ok ? 'ok' : shape.problem, problem);
    }
  });

  it('estimates the size of a value about as its JSON text is long', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const shape = inspectPayload(value, wide);
        assert.ok(shape.ok);
        const text = JSON.stringify(value) ?? '';
        // Escapes and digits are not counted exactly: close enough for a budget.
        assert.ok(shape.bytes <= text.length * 2 + 16 && text.length <= shape.bytes * 8 + 16);
      }),
    );
  });
});

describe('inspectBody', () => {
  it('does not count the envelope: a payload may use the whole limits', () => {
    const limits = { maxDepth: 3, maxMembers: 4 };
    const body = { signal_type: 'execute', payload: { a: { b: [1, 2] } } };
    assert.ok(inspectBody(body, limits).ok);
    const deeper = { signal_type: 'execute', payload: { a: { b: [[1]] } } };
    const shape = inspectBody(deeper, limits);
    assert.equal(shape.ok ? 'ok' : shape.problem, 'too_deep');
  });
});

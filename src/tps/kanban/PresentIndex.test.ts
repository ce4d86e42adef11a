import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PresentIndex } from './PresentIndex.js';

const entry = (id: string, generation: number) => ({ message: { id, generation } });

describe('PresentIndex', () => {
  it('finds an entry by (id, generation), not by id alone', () => {
    const index = new PresentIndex();
    index.add(entry('a', 0));
    assert.equal(index.has({ id: 'a', generation: 0 }), true);
    assert.equal(index.has({ id: 'a', generation: 1 }), false);
    assert.equal(index.has({ id: 'b', generation: 0 }), false);
  });

  it('holds two generations of one id, and forgets each on its own, in either order', () => {
    for (const first of [0, 1]) {
      const index = new PresentIndex();
      const entries = [entry('a', 0), entry('a', 1)];
      for (const added of entries) index.add(added);
      assert.equal(index.size, 2);
      index.delete(entries[first]!);
      assert.equal(index.has({ id: 'a', generation: first }), false);
      assert.equal(index.has({ id: 'a', generation: 1 - first }), true);
      index.delete(entries[1 - first]!);
      assert.equal(index.size, 0);
      assert.equal(index.has({ id: 'a', generation: 1 - first }), false);
    }
  });

  it('finds a later generation after the first one left', () => {
    const index = new PresentIndex();
    const [old, retried, again] = [entry('a', 0), entry('a', 1), entry('a', 2)];
    index.add(old);
    index.add(retried);
    index.delete(old);
    index.add(again);
    assert.deepEqual(
      [0, 1, 2].map((generation) => index.has({ id: 'a', generation })),
      [false, true, true],
    );
  });

  it('does not forget an entry when asked to delete another of the same (id, generation)', () => {
    const index = new PresentIndex();
    index.add(entry('a', 0));
    index.delete(entry('a', 0));
    assert.equal(index.has({ id: 'a', generation: 0 }), true);
  });
});

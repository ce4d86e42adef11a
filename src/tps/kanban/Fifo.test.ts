import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Fifo } from './Fifo.js';

describe('Fifo', () => {
  it('gives items back in the order they went in, across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      fifo.push(i);
      if (i % 3 === 0) out.push(fifo.shift() as number);
    }
    while (fifo.size > 0) {
      const next = fifo.peek();
      assert.equal(fifo.shift(), next);
      out.push(next as number);
    }
    assert.deepEqual(
      out,
      Array.from({ length: 5_000 }, (_, i) => i),
    );
    assert.equal(fifo.shift(), undefined);
    assert.equal(fifo.peek(), undefined);
  });
});

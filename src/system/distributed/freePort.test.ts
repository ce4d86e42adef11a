import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort, listenAndClose, PICKED_PORTS } from './freePort.js';

const { from, to } = PICKED_PORTS;

describe('freePort', () => {
  it('answers ports below the range the kernel hands out for port 0, each one free', async () => {
    const base = await freePort(3);
    assert.ok(base >= from && base + 2 < to, `${base}`);
    for (const port of [base, base + 1, base + 2]) assert.equal(await listenAndClose(port), port);
  });

  it('passes over a pick where any port of the span is taken', async () => {
    const base = await freePort(3);
    const taken = createServer().listen(base + 2, '127.0.0.1');
    await once(taken, 'listening');
    // The first pick lands on `base`, whose third port is taken; the second lands 1000 ports away.
    const other = base < (from + to) / 2 ? base + 1000 : base - 1000;
    const picks = [base, other].map((port) => (port - from + 0.5) / (to - from - 3));
    try {
      assert.equal(await freePort(3, () => picks.shift() ?? 0), other);
    } finally {
      taken.close();
    }
  });
});

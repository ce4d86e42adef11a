import { describe, it } from 'node:test';
import { invariant, runShort } from './support.js';

describe('experiment worker-crash (short)', () => {
  it(
    'restarts crashed workers and redelivers what they held; nothing lost',
    { timeout: 20_000 },
    async () => {
      const result = await runShort('worker-crash', { fastPoolSize: 3, autoscale: false });
      invariant(result, 'the pool restarted every crashed worker');
      invariant(result, 'every held signal was redelivered');
      invariant(result, 'signals lost = 0');
      invariant(result, 'nothing lost (checked by id)');
    },
  );
});

/** A second baseline: Fastify alone, answering POST /signal with 202 and a small JSON body, nothing behind it. */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { runTarget } from './runTarget.js';

await runTarget(async () => {
  const app = Fastify({ logger: false });
  app.post('/signal', async (_request, reply) =>
    reply.code(202).send({ id: randomUUID(), status: 'queued' }),
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
});

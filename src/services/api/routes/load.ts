import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { LOAD_PRESET_NAMES, type LoadAnswer, type LoadPresetName } from '../../../domain/load.js';
import { TpsError } from '../../../errors/index.js';
import { isLoopbackHost } from '../../../loadgen/loopback.js';
import { MIX_NAMES, type MixName } from '../../../loadgen/mix.js';
import { loadPresetViews } from '../../../loadgen/presets.js';
import type { ApiDeps } from '../ApiDeps.js';
import { adminGuard } from '../plugins/adminGuard.js';

const loadBody = {
  type: 'object',
  additionalProperties: false,
  required: ['preset'],
  properties: {
    preset: { type: 'string', enum: [...LOAD_PRESET_NAMES] },
    mix: { type: 'string', enum: [...MIX_NAMES] },
  },
} as const;

/** The API's own address as a loopback URL the load can go to, or undefined when it listens elsewhere only. */
export function loopbackUrlOf(address: AddressInfo | string | null): string | undefined {
  if (address === null || typeof address === 'string') return undefined;
  const host =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '::1'
        : isLoopbackHost(address.address)
          ? address.address
          : undefined;
  if (host === undefined) return undefined;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * `POST /load {"preset","mix"?}` starts one of the board's load presets in this process against the API's own
 * loopback address (202; 409 while one runs); `GET /load` tells its progress and the presets; `DELETE /load`
 * stops it. Progress also goes to the board over `/events` (`event: load`).
 */
export const loadRoutes: FastifyPluginAsync<ApiDeps> = async (app, deps) => {
  const onRequest = adminGuard(deps.config.tpsAdminToken);
  const presets = loadPresetViews();
  const answer = (): LoadAnswer => ({ run: deps.load.view(), presets });

  app.get('/load', async () => answer());

  app.post<{ Body: { preset: LoadPresetName; mix?: MixName } }>(
    '/load',
    { onRequest, schema: { body: loadBody } },
    async (request, reply) => {
      const url = loopbackUrlOf(app.server.address());
      if (!url) {
        throw new TpsError('NOT_SUPPORTED', {
          message: 'The API does not listen on loopback, so it cannot load itself: run `tps load` instead',
        });
      }
      const { preset, mix = 'fast-heavy' } = request.body;
      const run = deps.load.start({ preset, mix, url });
      if (!run) throw new TpsError('LOAD_RUNNING', { details: { run: deps.load.view() } });
      return reply.code(202).send({ run, presets } satisfies LoadAnswer);
    },
  );

  app.delete('/load', { onRequest }, async () => {
    await deps.load.stop();
    return answer();
  });

  // A run sends to this very server: stop it before the server closes.
  app.addHook('preClose', async () => {
    await deps.load.close();
  });
};

import { LANES } from '../../domain/signal.js';
import { createApiClient, describeErrorAnswer, type ApiAnswer } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { baseUrl, choiceFlag, integerFlag, numberFlag, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createStyle } from '../Style.js';
import { UsageError } from '../UsageError.js';

/** The downstream chain C → B → A, as the API names it. */
const TARGETS = ['service-a', 'service-b', 'service-c'] as const;

interface ChaosStateView {
  downstream?: Record<string, { latencyMs: number; errorRate: number }>;
  queueDown?: boolean;
  cascade?: boolean;
  active?: string[];
}

export const chaosCommand: Command = {
  name: 'chaos',
  summary: 'break it on purpose: slow or failing downstream, crashed worker, queue down, cascade; stop',
  usage: `tps chaos downstream [--latency MS] [--error-rate P] [--target service-a|service-b|service-c] [--url URL]
tps chaos stop | status | queue-down | queue-recover | cascade [--url URL]
tps chaos crash-worker [--pool fast|slow] [--url URL]

  downstream     add latency (ms) and/or an error rate (0..1) to one downstream service (default service-c,
                 the one workers call; it calls B, which calls A)
  stop           clear every fault (DELETE /chaos)
  status         which faults are active
  crash-worker   a worker dies holding its signal; watch redelivery and the pool restart it (against
                 tps run-local: kill -9 of the worker process, which run-local starts again)
  queue-down     the queue backend becomes unavailable; queue-recover brings it back (against
                 tps run-local --own-nats: its nats-server is stopped and started)
  cascade        slow service A past its callers' timeouts; watch it spread back through B and C, and the breakers stop it
  Changing faults is admin: loopback callers, or others with TPS_ADMIN_TOKEN.
  --url URL      the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const [action, ...rest] = args;
    const client = (url: string | undefined) => createApiClient(baseUrl('chaos', url, env), env);
    switch (action) {
      case 'downstream': {
        const { values } = parseFlags('chaos', rest, {
          ...URL_FLAG,
          latency: { type: 'string' },
          'error-rate': { type: 'string' },
          target: { type: 'string' },
        });
        const latency = integerFlag('chaos', 'latency', values.latency, { min: 0, max: 600_000 });
        const errorRate = numberFlag('chaos', 'error-rate', values['error-rate'], { min: 0, max: 1 });
        const target = choiceFlag('chaos', 'target', values.target, TARGETS) ?? 'service-c';
        if (latency === undefined && errorRate === undefined) {
          throw new UsageError('chaos downstream needs --latency MS, --error-rate P, or both', 'chaos');
        }
        const body = {
          target,
          ...(latency === undefined ? {} : { latency_ms: latency }),
          ...(errorRate === undefined ? {} : { error_rate: errorRate }),
        };
        return report(await client(values.url).post('/chaos/downstream', body));
      }
      case 'crash-worker': {
        const { values } = parseFlags('chaos', rest, { ...URL_FLAG, pool: { type: 'string' } });
        const pool = choiceFlag('chaos', 'pool', values.pool, LANES);
        const answer = await client(values.url).post('/chaos/crash-worker', pool ? { pool } : {});
        if (!answer.ok) return refused(answer);
        const { crashed } = answer.json as {
          crashed: { pool: string; worker: number; held_signals?: string[]; how?: string };
        };
        const held = crashed.held_signals ?? [];
        console.log(
          (crashed.how
            ? `killed worker process ${crashed.worker} of the ${crashed.pool} pool (${crashed.how}); run-local restarts it`
            : `crashed worker ${crashed.worker} of the ${crashed.pool} pool`) +
            (held.length > 0
              ? `; it held ${held.length === 1 ? `signal ${held[0]}` : `${held.length} signals (${held.slice(0, 3).join(', ')}${held.length > 3 ? ', …' : ''})`}, which will be redelivered`
              : ' (it was idle)'),
        );
        return 0;
      }
      case 'stop':
      case 'status':
      case 'queue-down':
      case 'queue-recover':
      case 'cascade': {
        const { values } = parseFlags('chaos', rest, URL_FLAG);
        const api = client(values.url);
        if (action === 'stop') return report(await api.delete('/chaos'));
        if (action === 'status') return report(await api.get('/chaos'));
        return report(await api.post(`/chaos/${action}`));
      }
      default:
        throw new UsageError(
          action === undefined
            ? 'say which fault, e.g. chaos downstream --latency 5000'
            : `unknown chaos action '${action}'`,
          'chaos',
        );
    }
  },
};

function refused(answer: ApiAnswer): number {
  console.error(`refused: ${describeErrorAnswer(answer)}`);
  return 1;
}

/** What chaos is in force after the change, in words. */
function report(answer: ApiAnswer): number {
  if (!answer.ok) return refused(answer);
  const state = answer.json as ChaosStateView;
  const style = createStyle();
  const faults: string[] = [];
  for (const [service, fault] of Object.entries(state.downstream ?? {})) {
    const parts = [
      ...(fault.latencyMs > 0 ? [`+${fault.latencyMs} ms`] : []),
      ...(fault.errorRate > 0 ? [`${Math.round(fault.errorRate * 1000) / 10}% errors`] : []),
    ];
    if (parts.length > 0) faults.push(`${service} ${parts.join(', ')}`);
  }
  if (state.queueDown) faults.push('queue backend down');
  if (state.cascade) faults.push('cascade');
  console.log(
    faults.length === 0
      ? `chaos: ${style.tone('good', 'none active')}`
      : `chaos active: ${style.tone('warn', faults.join('; '))} — \`tps chaos stop\` clears it all`,
  );
  return 0;
}

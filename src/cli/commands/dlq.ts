import { createApiClient, describeErrorAnswer } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { readForDisplay } from '../readForDisplay.js';
import { formatTable } from '../formatTable.js';
import { timeAndAge } from '../formatTime.js';
import { baseUrl, integerFlag, parseFlags, URL_FLAG } from '../parseFlags.js';
import { UsageError } from '../UsageError.js';

interface DeadLetterView {
  id: string;
  lane: string;
  signal_type: string;
  attempts: number;
  reason: string;
  dead_lettered_at: string;
}

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'list or replay dead-lettered signals (GET /dlq, POST /dlq/replay)',
  usage: `tps dlq list [--limit N] [--json] [--url URL]
tps dlq replay [--id ID]... [--url URL]

  list     signals that failed MAX_DELIVER times: id, lane, type, attempts, why, when (default --limit 100)
  replay   puts them back in their lanes under the same ids; without --id, every dead letter (admin: loopback
           or TPS_ADMIN_TOKEN)
  --url URL   the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const [action, ...rest] = args;
    if (action === 'list') {
      const { values } = parseFlags('dlq', rest, {
        ...URL_FLAG,
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
      });
      const limit = integerFlag('dlq', 'limit', values.limit, { min: 1, max: 1000 }) ?? 100;
      const read = await readForDisplay(
        { url: baseUrl('dlq', values.url, env), path: `/dlq?limit=${limit}`, json: values.json },
        env,
      );
      if ('exit' in read) return read.exit;
      const { items } = read.json as { count: number; items: DeadLetterView[] };
      if (items.length === 0) {
        console.log('no dead letters: every signal was completed, failed for good, or is still in flight');
        return 0;
      }
      const now = Date.now();
      console.log(
        formatTable(
          ['ID', 'LANE', 'TYPE', 'ATTEMPTS', 'DEAD-LETTERED', 'REASON'],
          items.map((d) => [
            d.id,
            d.lane,
            d.signal_type,
            String(d.attempts),
            timeAndAge(d.dead_lettered_at, now),
            d.reason,
          ]),
        ),
      );
      console.log(
        `\n${items.length} dead letter${items.length === 1 ? '' : 's'}; \`tps dlq replay\` re-queues them`,
      );
      return 0;
    }
    if (action === 'replay') {
      const { values } = parseFlags('dlq', rest, { ...URL_FLAG, id: { type: 'string', multiple: true } });
      const api = createApiClient(baseUrl('dlq', values.url, env), env);
      const answer = await api.post('/dlq/replay', values.id ? { ids: values.id } : {});
      if (!answer.ok) {
        console.error(`replay refused: ${describeErrorAnswer(answer)}`);
        return 1;
      }
      const { replayed, items } = answer.json as { replayed: number; items: DeadLetterView[] };
      console.log(`replayed ${replayed} signal${replayed === 1 ? '' : 's'}${items.length > 0 ? ':' : ''}`);
      for (const item of items) console.log(`  ${item.id}  (${item.lane}, ${item.signal_type})`);
      const missing = (values.id ?? []).filter((id) => !items.some((item) => item.id === id));
      if (missing.length > 0) console.error(`not in the dead-letter lane: ${missing.join(', ')}`);
      return missing.length > 0 ? 1 : 0;
    }
    throw new UsageError(
      action === undefined ? 'say list or replay' : `unknown dlq action '${action}'`,
      'dlq',
    );
  },
};

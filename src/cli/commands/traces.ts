import { LANES } from '../../domain/signal.js';
import { TRACE_OUTCOMES, type TraceDetail, type TraceList } from '../../domain/traces.js';
import type { Command } from '../Command.js';
import { formatTable } from '../formatTable.js';
import { formatWaterfall } from '../formatWaterfall.js';
import { baseUrl, choiceFlag, integerFlag, parseFlags, URL_FLAG } from '../parseFlags.js';
import { readForDisplay } from '../readForDisplay.js';
import { UsageError } from '../UsageError.js';

const OUTCOMES = [...TRACE_OUTCOMES, 'error'] as const;

export const tracesCommand: Command = {
  name: 'traces',
  summary:
    'recent traces with lead time, process time and efficiency; one trace as a waterfall (GET /traces)',
  usage: `tps traces [--lane fast|slow] [--outcome O] [--min-ms N] [--signal ID] [--limit N] [--json] [--url URL]
tps traces TRACE_ID [--json] [--url URL]

  --outcome O   in_progress, completed, failed, expired, dead_lettered, retried, rejected, or error (any
                span failed)
  --min-ms N    only traces whose lead time is at least N ms
  --signal ID   the trace(s) of one signal; with one found, its waterfall
  TRACE_ID      one trace as a waterfall: a line per span under its parent, █ work, ░ wait, ✗ failed
  --url URL     the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const { values, positionals } = parseFlags(
      'traces',
      args,
      {
        ...URL_FLAG,
        lane: { type: 'string' },
        outcome: { type: 'string' },
        'min-ms': { type: 'string' },
        signal: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      { positionals: true },
    );
    const url = baseUrl('traces', values.url, env);
    const [traceId, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, 'traces');
    if (traceId !== undefined) {
      if (!/^[0-9a-f]{32}$/.test(traceId))
        throw new UsageError(`a trace id is 32 hex digits, got '${traceId}'`, 'traces');
      return showTrace(url, traceId, values.json, env);
    }

    const query = new URLSearchParams();
    const lane = choiceFlag('traces', 'lane', values.lane, LANES);
    const outcome = choiceFlag('traces', 'outcome', values.outcome, OUTCOMES);
    const minMs = integerFlag('traces', 'min-ms', values['min-ms'], { max: 999_999_999 });
    const limit = integerFlag('traces', 'limit', values.limit, { min: 1, max: 500 }) ?? 20;
    if (lane) query.set('lane', lane);
    if (outcome) query.set('outcome', outcome);
    if (minMs !== undefined) query.set('min_ms', String(minMs));
    if (values.signal) query.set('signal_id', values.signal);
    query.set('limit', String(limit));
    const read = await readForDisplay({ url, path: `/traces?${query.toString()}`, json: values.json }, env);
    if ('exit' in read) return read.exit;
    const list = read.json as TraceList;
    const only = list.traces.length === 1 ? list.traces[0] : undefined;
    if (values.signal && only) return showTrace(url, only.trace_id, false, env);
    if (list.traces.length === 0) {
      console.log(`no trace matches (the process keeps the last ${list.capacity})`);
      return values.signal ? 1 : 0;
    }
    console.log(
      formatTable(
        ['TRACE', 'SIGNAL', 'LANE', 'OUTCOME', 'LEAD', 'PROCESS', 'WAIT', 'PCE', 'SPANS'],
        list.traces.map((trace) => [
          trace.trace_id,
          trace.signal_id ?? '',
          trace.lane ?? '',
          trace.error && trace.outcome !== 'failed' ? `${trace.outcome} ✗` : trace.outcome,
          `${trace.lead_time_ms.toFixed(1)} ms`,
          `${trace.process_time_ms.toFixed(1)} ms`,
          `${trace.wait_time_ms.toFixed(1)} ms`,
          `${(trace.pce * 100).toFixed(0)} %`,
          String(trace.span_count),
        ]),
      ),
    );
    const average = list.averages;
    if (average.count > 0) {
      console.log(
        `\naverage of ${average.count} finished: lead ${average.lead_time_ms.toFixed(1)} ms, process ` +
          `${average.process_time_ms.toFixed(1)} ms, efficiency ${(average.pce * 100).toFixed(1)} %; ` +
          '`tps traces TRACE_ID` draws one',
      );
    }
    return 0;
  },
};

async function showTrace(
  url: string,
  traceId: string,
  json: boolean,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const read = await readForDisplay({ url, path: `/traces/${traceId}`, json }, env);
  if ('exit' in read) return read.exit;
  console.log(formatWaterfall(read.json as TraceDetail, process.stdout.columns > 120 ? 50 : 40));
  return 0;
}

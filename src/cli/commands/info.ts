import { createApiClient, describeErrorAnswer } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { formatTable } from '../formatTable.js';
import { formatDuration } from '../formatTime.js';
import { baseUrl, parseFlags, URL_FLAG } from '../parseFlags.js';

interface InfoAnswer {
  name?: string;
  version?: string;
  mode?: string;
  queue?: { backend?: string; durable?: boolean };
  store?: { backend?: string; durable?: boolean };
  started_at?: string;
  uptime_s?: number;
  node?: string;
  pid?: number;
  config?: Record<string, unknown>;
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'what runs: version, mode, queue backend and durability, effective config (GET /info)',
  usage: `tps info [--json] [--url URL]

  --json      the answer as the API gives it
  --url URL   the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const { values } = parseFlags('info', args, { ...URL_FLAG, json: { type: 'boolean', default: false } });
    const api = createApiClient(baseUrl('info', values.url, env), env);
    const answer = await api.get('/info');
    if (!answer.ok) {
      console.error(describeErrorAnswer(answer));
      return 1;
    }
    if (values.json) {
      console.log(JSON.stringify(answer.json, null, 2));
      return 0;
    }
    const info = answer.json as InfoAnswer;
    const durability = (part?: { backend?: string; durable?: boolean }) =>
      part
        ? `${part.backend ?? '?'} (${part.durable ? 'durable' : 'not durable: lost if the process dies'})`
        : '?';
    const uptime = info.uptime_s === undefined ? '?' : formatDuration(info.uptime_s * 1000);
    console.log(
      [
        `${info.name ?? 'tps'} ${info.version ?? ''} at ${api.url}`,
        `  mode     ${info.mode ?? '?'}`,
        `  queue    ${durability(info.queue)}`,
        `  store    ${durability(info.store)}`,
        `  running  ${uptime} (pid ${info.pid ?? '?'}, node ${info.node ?? '?'})`,
        '',
        'EFFECTIVE CONFIGURATION',
        formatTable(
          ['VARIABLE', 'VALUE'],
          Object.entries(info.config ?? {}).map(([name, value]) => [name, showValue(value)]),
        ),
      ].join('\n'),
    );
    return 0;
  },
};

const showValue = (value: unknown): string =>
  value === '' ? '(empty)' : typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));

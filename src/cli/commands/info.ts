import type { Command } from '../Command.js';
import { readForDisplay } from '../readForDisplay.js';
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
    const url = baseUrl('info', values.url, env);
    const read = await readForDisplay({ url, path: '/info', json: values.json }, env);
    if ('exit' in read) return read.exit;
    const info = read.json as InfoAnswer;
    const durability = (part?: { backend?: string; durable?: boolean }) =>
      part
        ? `${part.backend ?? '?'} (${part.durable ? 'durable' : 'not durable: lost if the process dies'})`
        : '?';
    const uptime = info.uptime_s === undefined ? '?' : formatDuration(info.uptime_s * 1000);
    console.log(
      [
        `${info.name ?? 'tps'} ${info.version ?? ''} at ${url}`,
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

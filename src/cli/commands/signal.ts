import { setTimeout as sleep } from 'node:timers/promises';
import { TERMINAL_STATUSES, type SignalStatus } from '../../domain/signal.js';
import { createApiClient, describeErrorAnswer, type ApiClient } from '../ApiClient.js';
import type { Command } from '../Command.js';
import { clockTime, formatDuration } from '../formatTime.js';
import { baseUrl, integerFlag, parseFlags, URL_FLAG } from '../parseFlags.js';
import { createStyle } from '../Style.js';
import { UsageError } from '../UsageError.js';

const POLL_MS = 100;
const DEFAULT_WAIT_S = 120;

interface SignalView {
  id: string;
  status: SignalStatus;
  lane?: string;
  attempts?: number;
  created_at?: string;
  started_at?: string | null;
  completed_at?: string | null;
  error?: string;
  trace_id?: string;
}

export const signalCommand: Command = {
  name: 'signal',
  summary: 'send one signal (POST /signal) and, with --wait, follow it to the end',
  usage: `tps signal [--type TYPE] [--payload JSON] [--id ID] [--timeout-ms N] [--wait [--wait-s S]] [--url URL]

  --type TYPE       signal type (default execute): execute, validate, notify go to the fast lane;
                    report, batch, analyze to the slow one
  --payload JSON    a JSON object (default '{"task":"test"}'); "work_ms" asks for that much simulated work
  --id ID           your id for it; sending the same id again returns the existing signal
  --timeout-ms N    it expires if no worker has started it within N ms
  --wait            poll GET /signal/:id/status and print each status change until completed, failed,
                    expired or dead_lettered (exit 1 unless completed)
  --wait-s S        how long --wait waits (default ${DEFAULT_WAIT_S})
  --url URL         the API (default http://localhost:$PORT, PORT defaulting to 8080)`,

  async run(args, { env }) {
    const { values } = parseFlags('signal', args, {
      ...URL_FLAG,
      type: { type: 'string', default: 'execute' },
      payload: { type: 'string', default: '{"task":"test"}' },
      id: { type: 'string' },
      'timeout-ms': { type: 'string' },
      wait: { type: 'boolean', default: false },
      'wait-s': { type: 'string' },
    });
    const payload = parsePayload(values.payload);
    const timeoutMs = integerFlag('signal', 'timeout-ms', values['timeout-ms'], { min: 1 });
    const waitS =
      integerFlag('signal', 'wait-s', values['wait-s'], { min: 1, max: 86_400 }) ?? DEFAULT_WAIT_S;
    const api = createApiClient(baseUrl('signal', values.url, env), env);

    const sentAt = Date.now();
    const answer = await api.post('/signal', {
      signal_type: values.type,
      payload,
      ...(values.id === undefined ? {} : { id: values.id }),
      ...(timeoutMs === undefined ? {} : { timeout_ms: timeoutMs }),
    });
    if (!answer.ok) {
      console.error(`refused: ${describeErrorAnswer(answer)}`);
      return 1;
    }
    const view = answer.json as SignalView;
    const known = answer.status === 200;
    console.log(
      `${known ? 'already known' : 'accepted'} (HTTP ${answer.status}): id ${view.id}, lane ${view.lane ?? '?'}, ` +
        `status ${view.status}${view.trace_id ? `, trace ${view.trace_id}` : ''}`,
    );
    if (!values.wait) return 0;
    return follow(api, view, sentAt, waitS * 1000);
  },
};

function parsePayload(text: string): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`flag --payload is not valid JSON (${(error as Error).message}): ${text}`, 'signal');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new UsageError(
      `flag --payload must be a JSON object such as '{"task":"test"}', got ${text}`,
      'signal',
    );
  }
  return payload as Record<string, unknown>;
}

/** Polls the status until it is terminal, one line per change: local time, time since sending, status. */
async function follow(api: ApiClient, first: SignalView, sentAt: number, waitMs: number): Promise<number> {
  const path = `/signal/${encodeURIComponent(first.id)}/status`;
  const deadline = sentAt + waitMs;
  const style = createStyle();
  const line = (view: SignalView, extra = '') => {
    const terminal = TERMINAL_STATUSES.has(view.status);
    const tone = view.status === 'completed' ? 'good' : terminal ? 'bad' : 'dim';
    const attempt = view.attempts ? ` (attempt ${view.attempts})` : '';
    console.log(
      `${clockTime(Date.now(), { millis: true })}  +${formatDuration(Date.now() - sentAt).padEnd(7)}  ` +
        `${style.tone(tone, view.status)}${attempt}${extra}`,
    );
  };
  if (TERMINAL_STATUSES.has(first.status)) {
    line(first, finalNote(first));
    return first.status === 'completed' ? 0 : 1;
  }
  line(first);
  let last = first;
  for (;;) {
    const answer = await api.get(path);
    if (!answer.ok) {
      console.error(`GET ${path}: ${describeErrorAnswer(answer)}`);
      return 1;
    }
    const view = answer.json as SignalView;
    if (view.status !== last.status || (view.attempts ?? 0) !== (last.attempts ?? 0)) {
      const terminal = TERMINAL_STATUSES.has(view.status);
      line(view, terminal ? finalNote(view) : '');
      if (terminal) return view.status === 'completed' ? 0 : 1;
      last = view;
    }
    if (Date.now() >= deadline) {
      console.error(`still ${view.status} after ${formatDuration(waitMs)}; stopped waiting (it goes on)`);
      return 1;
    }
    await sleep(POLL_MS);
  }
}

function finalNote(view: SignalView): string {
  const parts: string[] = [];
  if (view.created_at && view.completed_at) {
    parts.push(`lead time ${formatDuration(Date.parse(view.completed_at) - Date.parse(view.created_at))}`);
  }
  if (view.error) parts.push(`error: ${view.error}`);
  return parts.length > 0 ? `  (${parts.join('; ')})` : '';
}

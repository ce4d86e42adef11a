import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ForwardedSpan, ForwardedSpansAnswer } from '../domain/traces.js';
import { traceIdFraction } from '../tps/valuestream/index.js';
import { recordedSpanOf, withPrimitiveAttributes } from './RecentTraces.js';

/** How long one batch may take to reach the API; a batch that does not is dropped, not retried. */
const TIMEOUT_MS = 5_000;

export interface SpanForwarderOptions {
  /** The API's base URL (API_URL). */
  apiUrl: string;
  /** TPS_ADMIN_TOKEN, sent when set: the API takes forwarded spans from loopback or with the token. */
  adminToken?: string;
  /** Told once when the API stops taking the spans, and once when it takes them again. */
  onReachable?: (reachable: boolean, why?: string) => void;
}

/**
 * Sends this process's finished spans to the API (`POST /traces/spans`), so that the API's `/traces` of the
 * distributed mode holds whole traces: its own part, the workers' and the downstream services'. A span
 * exporter for the SDK's BatchSpanProcessor, which batches, bounds the queue and drops what does not fit.
 * Hand-written because OTLP would mean the OTLP exporter in every process (3–7 MB of RSS, docs/performance.md)
 * and an OTLP decoder in the API for the dozen fields its viewer reads; this sends those fields as JSON.
 *
 * Only spans the API can keep are sent: it answers the share of traces (by trace id) its buffer takes in now.
 */
export class SpanForwarder implements SpanExporter {
  private readonly url: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });
  private share = 1;
  private reachable = true;

  constructor(private readonly options: SpanForwarderOptions) {
    this.url = new URL(`${options.apiUrl.replace(/\/+$/, '')}/traces/spans`);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const forwarded: ForwardedSpan[] = [];
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      // The API's buffer chooses traces by this fraction of their id (TraceAdmission): it would drop the others.
      if (this.share < 1 && traceIdFraction(traceId) >= this.share) continue;
      forwarded.push({ trace_id: traceId, ...withPrimitiveAttributes(recordedSpanOf(span)) });
    }
    if (forwarded.length === 0) return done({ code: ExportResultCode.SUCCESS });
    this.post(JSON.stringify({ spans: forwarded })).then(
      (answer) => {
        this.share = answer.share;
        this.told(true);
        done({ code: ExportResultCode.SUCCESS });
      },
      (error: unknown) => {
        this.told(false, error instanceof Error ? error.message : String(error));
        done({ code: ExportResultCode.FAILED });
      },
    );
  }

  shutdown(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }

  private told(reachable: boolean, why?: string): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.options.onReachable?.(reachable, why);
  }

  private post(body: string): Promise<ForwardedSpansAnswer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.adminToken) headers.authorization = `Bearer ${this.options.adminToken}`;
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(
        this.url,
        {
          method: 'POST',
          headers,
          signal: AbortSignal.timeout(TIMEOUT_MS),
          ...(this.url.protocol === 'https:' ? {} : { agent: this.agent }),
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.once('error', reject);
          response.once('end', () => {
            if (response.statusCode !== 200) {
              reject(new Error(`${this.url.href} answered ${response.statusCode}: ${text.slice(0, 200)}`));
              return;
            }
            try {
              const answer = JSON.parse(text) as ForwardedSpansAnswer;
              resolve({ accepted: Number(answer.accepted), share: clampShare(answer.share) });
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  }
}

const clampShare = (share: unknown): number =>
  typeof share === 'number' && share >= 0 && share <= 1 ? share : 1;

import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { RecentTraces } from './RecentTraces.js';

export interface TracingOptions {
  /** service.name of this process's spans (tps-embedded, tps-api, tps-worker-fast, tps-downstream). */
  service: string;
  version: string;
  /** TRACE_SAMPLE_RATIO: share of new traces recorded; a trace begun upstream keeps its own decision. */
  sampleRatio: number;
  /** TRACE_BUFFER: traces kept in process for GET /traces; 0 keeps none. */
  buffer: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: base URL of an OTLP/HTTP collector; empty exports nothing. */
  otlpEndpoint: string;
}

export interface Tracing {
  tracer: Tracer;
  /** The recent traces of this process; undefined when TRACE_BUFFER is 0. */
  recent: RecentTraces | undefined;
  /** Flushes what the exporter still holds. */
  shutdown(): Promise<void>;
}

let contextManagerSet = false;
/** Spans find their parent through the active context, which lives in AsyncLocalStorage (once per process). */
function ensureContextManager(): void {
  if (contextManagerSet) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerSet = true;
}

/**
 * The trace SDK for one running system. Its tracer is handed to the parts that record spans (they code against
 * the OpenTelemetry API only); nothing is registered globally but the context manager, so several systems can
 * run in one process (tests) without sharing spans.
 */
export function createTracing(options: TracingOptions): Tracing {
  ensureContextManager();
  const recent = options.buffer > 0 ? new RecentTraces(options.buffer, options.service) : undefined;
  const processors: SpanProcessor[] = [];
  if (recent) processors.push(recent);
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service,
      [ATTR_SERVICE_VERSION]: options.version,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer('tps', options.version),
    recent,
    shutdown: () => provider.shutdown(),
  };
}

/** For parts built without a system around them (unit tests): spans go nowhere. */
export const noTracer: Tracer = trace.getTracer('tps-none');

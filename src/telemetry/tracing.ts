import { trace, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './semconv.js';
import { BufferAdmissionSampler } from './BufferAdmissionSampler.js';
import { RecentTraces } from './RecentTraces.js';
import { SpanForwarder, type SpanForwarderOptions } from './SpanForwarder.js';

/**
 * The roles that record spans, each a service of its own in Jaeger: `service.name` is `tps-<role>`, in the
 * distributed mode (one role a process) and in the embedded one (every role in one process, each still its own
 * service, so the backends' service views mean the same in both).
 */
export type TracedRole = 'api' | 'worker' | 'downstream';

/** The `service.name` of a role's spans. */
export const serviceNameOf = (role: TracedRole): string => `tps-${role}`;

export interface TracingOptions {
  version: string;
  /** Resource attributes of every span of this process besides service.name (e.g. tps.pool of a worker). */
  attributes?: Record<string, string>;
  /** TRACE_SAMPLE_RATIO: share of new traces recorded; a trace begun upstream keeps its own decision. */
  sampleRatio: number;
  /** TRACE_BUFFER: traces kept in process for GET /traces; 0 keeps none. */
  buffer: number;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: base URL of an OTLP/HTTP collector; empty exports nothing. */
  otlpEndpoint: string;
  /** The API to send this process's finished spans to, for its `/traces` (a worker's or downstream's API_URL). */
  forward?: SpanForwarderOptions;
}

export interface Tracing {
  /** The tracer of one role; its spans carry service.name = tps-<role>, whichever process records them. */
  tracerFor(role: TracedRole): Tracer;
  /** The recent traces of this process; undefined when TRACE_BUFFER is 0. */
  recent: RecentTraces | undefined;
  /** Flushes what the exporter still holds. */
  shutdown(): Promise<void>;
}

/**
 * The trace SDK for one running system: a tracer provider per role (so the embedded system, one process, still
 * shows tps-api, tps-worker and tps-downstream as services in Jaeger), all feeding the same span processors. The
 * tracers are handed to the parts that record spans, which code against the OpenTelemetry API only and pass
 * the trace context by hand (see spans.ts). Nothing is registered globally, not even a context manager, so
 * several systems can run in one process (tests) apart.
 */
export async function createTracing(options: TracingOptions): Promise<Tracing> {
  const exporting = options.otlpEndpoint !== '';
  const recent =
    options.buffer > 0 ? new RecentTraces(options.buffer, { admittedBySampler: !exporting }) : undefined;
  const processors: SpanProcessor[] = [];
  if (recent) processors.push(recent);
  if (exporting) {
    // Loaded only when there is somewhere to export to: 3–7 MB of RSS that a process without a collector
    // (the default) does not carry.
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  if (options.forward) {
    // Every half second, at most 2048 spans waiting: under a burst the rest are dropped, not held.
    processors.push(
      new BatchSpanProcessor(new SpanForwarder(options.forward), {
        scheduledDelayMillis: 500,
        maxQueueSize: 2048,
        maxExportBatchSize: 256,
      }),
    );
  }
  const sampler = new ParentBasedSampler({ root: rootSampler(options.sampleRatio, exporting, recent) });
  const providers = new Map<TracedRole, BasicTracerProvider>();
  const providerOf = (role: TracedRole): BasicTracerProvider => {
    let provider = providers.get(role);
    if (!provider) {
      provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          ...options.attributes,
          [ATTR_SERVICE_NAME]: serviceNameOf(role),
          [ATTR_SERVICE_VERSION]: options.version,
        }),
        sampler,
        spanProcessors: processors,
      });
      providers.set(role, provider);
    }
    return provider;
  };
  return {
    tracerFor: (role) => providerOf(role).getTracer('tps', options.version),
    recent,
    // The processors are shared: shutting one provider down flushes and stops them for all.
    shutdown: async () => {
      await Promise.all(processors.map((processor) => processor.shutdown()));
    },
  };
}

/**
 * Who decides which new traces are recorded. An exporter wants every one the ratio chooses (the buffer then
 * keeps its own sample of them); without one, the buffer is the only reader and decides where the trace begins;
 * with neither, nothing would read a span, so none is recorded. Every span still carries a trace context.
 */
function rootSampler(sampleRatio: number, exporting: boolean, recent: RecentTraces | undefined): Sampler {
  const ratio = new TraceIdRatioBasedSampler(sampleRatio);
  if (exporting) return ratio;
  return recent ? new BufferAdmissionSampler(ratio, recent) : new AlwaysOffSampler();
}

/** For parts built without a system around them (unit tests): spans go nowhere. */
export const noTracer: Tracer = trace.getTracer('tps-none');

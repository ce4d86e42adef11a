import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/** What the sampler asks of the trace buffer (`RecentTraces`): whether it takes in a trace that begins now. */
export interface TraceIntake {
  takesNewTrace(traceId: string): boolean;
}

const NOT_RECORDED: SamplingResult = { decision: SamplingDecision.NOT_RECORD };
const RECORDED: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };

/**
 * The root sampler of a process whose only reader of spans is its own trace buffer (no OTLP exporter): a new
 * trace is recorded when the `ratio` sampler chooses it and the buffer will take it in, and is otherwise only
 * propagated. Under load the buffer takes a share of new traces (`TraceAdmission`), and a span nobody will read
 * costs the SDK as much to build as one somebody will; deciding where the trace begins spares the rest. The
 * decision travels in the traceparent's sampled flag, so the worker and the downstream services, whose
 * `ParentBasedSampler` follows it, record the same traces whole.
 */
export class BufferAdmissionSampler implements Sampler {
  constructor(
    private readonly ratio: Sampler,
    private readonly buffer: TraceIntake,
  ) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const chosen = this.ratio.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (chosen.decision !== SamplingDecision.RECORD_AND_SAMPLED) return chosen;
    return this.buffer.takesNewTrace(traceId) ? RECORDED : NOT_RECORDED;
  }

  toString(): string {
    return `BufferAdmissionSampler{${this.ratio.toString()}}`;
  }
}

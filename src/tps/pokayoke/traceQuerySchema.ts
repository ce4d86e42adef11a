import { LANES } from '../../domain/signal.js';
import { TRACE_OUTCOMES } from '../../domain/traces.js';
import { SIGNAL_ID_PATTERN } from './signalSchema.js';

export const MAX_TRACE_LIMIT = 500;

/** `GET /traces` filters, as query strings carry them (numbers as digits). */
export const traceQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lane: { type: 'string', enum: [...LANES] },
    outcome: { type: 'string', enum: [...TRACE_OUTCOMES, 'error'] },
    min_ms: { type: 'string', pattern: '^[0-9]{1,9}$' },
    signal_id: { type: 'string', pattern: SIGNAL_ID_PATTERN },
    limit: { type: 'string', pattern: '^[0-9]{1,3}$' },
  },
} as const;

/** A W3C trace id: 32 lowercase hex digits. */
export const traceIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
} as const;

/** Spans one forwarded batch may hold (`POST /traces/spans`): the forwarder sends 256 at most. */
export const MAX_FORWARDED_SPANS = 512;

const shortText = { type: 'string', maxLength: 256 } as const;
const hexId = (length: number) => ({ type: 'string', pattern: `^[0-9a-f]{${length}}$` }) as const;

/** A batch of finished spans another process of the distributed mode sends the API (`ForwardedSpan`). */
export const forwardedSpansSchema = {
  type: 'object',
  required: ['spans'],
  additionalProperties: false,
  properties: {
    spans: {
      type: 'array',
      maxItems: MAX_FORWARDED_SPANS,
      items: {
        type: 'object',
        required: [
          'trace_id',
          'span_id',
          'name',
          'service',
          'kind',
          'stage',
          'start',
          'end',
          'status',
          'attributes',
        ],
        additionalProperties: false,
        properties: {
          trace_id: hexId(32),
          span_id: hexId(16),
          parent_span_id: hexId(16),
          name: shortText,
          service: shortText,
          kind: { enum: ['server', 'client', 'producer', 'consumer', 'internal'] },
          stage: { enum: ['wait', 'work'] },
          start: { type: 'number', minimum: 0 },
          end: { type: 'number', minimum: 0 },
          status: { enum: ['ok', 'error'] },
          error: { type: 'string', maxLength: 2048 },
          attributes: {
            type: 'object',
            maxProperties: 64,
            propertyNames: { maxLength: 128 },
            additionalProperties: {
              anyOf: [{ type: 'string', maxLength: 2048 }, { type: 'number' }, { type: 'boolean' }],
            },
          },
        },
      },
    },
  },
} as const;

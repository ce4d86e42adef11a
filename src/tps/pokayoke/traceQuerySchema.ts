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

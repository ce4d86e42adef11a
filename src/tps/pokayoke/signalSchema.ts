import { SIGNAL_TYPES } from '../../domain/signal.js';

/** A client-chosen id: letters, digits and . _ : - , up to 128 characters, so it is safe in URLs and subjects. */
export const SIGNAL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** The mistake-proof shape of `POST /signal`: anything else is refused before it reaches the line. */
export function signalRequestSchema(limits: { maxWorkMs: number }) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['signal_type', 'payload'],
    properties: {
      signal_type: { type: 'string', enum: [...SIGNAL_TYPES] },
      payload: {
        type: 'object',
        properties: { work_ms: { type: 'integer', minimum: 0, maximum: limits.maxWorkMs } },
      },
      id: { type: 'string', pattern: SIGNAL_ID_PATTERN },
      timeout_ms: { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_MS },
    },
  } as const;
}

export const signalIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SIGNAL_ID_PATTERN } },
} as const;

import { newSignalId, newTraceId } from '../domain/ids.js';
import type { SignalRecord } from '../domain/signal.js';

/**
 * A queued `execute` record on the fast lane, and overrides: what a test or bench needs. A fresh id and trace id
 * are drawn only where the overrides give none.
 */
export const signalRecord = (overrides: Partial<SignalRecord> = {}): SignalRecord => ({
  id: overrides.id ?? newSignalId(),
  signal_type: 'execute',
  lane: 'fast',
  status: 'queued',
  attempts: 0,
  created_at: new Date().toISOString(),
  started_at: null,
  completed_at: null,
  trace_id: overrides.trace_id ?? newTraceId(),
  generation: 0,
  ...overrides,
});

import { randomBytes, randomUUID } from 'node:crypto';
import type { SignalRecord } from '../domain/signal.js';

/** A queued `execute` record on the fast lane with a fresh id and trace id: what a test or bench needs, and overrides. */
export const signalRecord = (overrides: Partial<SignalRecord> = {}): SignalRecord => ({
  id: randomUUID(),
  signal_type: 'execute',
  lane: 'fast',
  status: 'queued',
  attempts: 0,
  created_at: new Date().toISOString(),
  started_at: null,
  completed_at: null,
  trace_id: randomBytes(16).toString('hex'),
  generation: 0,
  ...overrides,
});

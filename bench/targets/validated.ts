/**
 * A rung above Fastify alone: the API's own route, schemas (poka-yoke on the way in, the compiled 202 on the
 * way out) and error handling, over an intake that accepts at once and keeps nothing.
 */
import { loadConfig } from '../../src/config/index.js';
import { newSignalId } from '../../src/domain/ids.js';
import type { Intake } from '../../src/services/api/Intake.js';
import { createMemoryStatusStore } from '../../src/store/memory/index.js';
import { signalRecord } from '../../src/store/signalRecord.js';
import { startIntakeRung } from './intakeRung.js';
import { runTarget } from './runTarget.js';

const acceptAtOnce: Intake = {
  submit: (request) =>
    Promise.resolve({
      created: true,
      record: signalRecord({
        id: request.id ?? newSignalId(),
        signal_type: request.signal_type,
        trace_id: '',
      }),
    }),
  retry: (id) => Promise.reject(new Error(`retry of ${id}: not on this rung`)),
};

await runTarget(() => startIntakeRung(loadConfig(), acceptAtOnce, createMemoryStatusStore()));

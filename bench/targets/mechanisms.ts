/**
 * A rung below the whole system: the API's route over the real intake (idempotency by id, the line with its
 * cords and lane breakers, the queue's breaker, the memory status store and Kanban queue), with no metrics, no
 * tracing and no workers. Between `validated` and `untraced` it shows what the TPS mechanisms cost at intake,
 * and what the telemetry around them costs.
 */
import { trace } from '@opentelemetry/api';
import { loadConfig } from '../../src/config/index.js';
import { LANES } from '../../src/domain/signal.js';
import { createMemoryWorkQueue } from '../../src/queue/memory/index.js';
import { createIntake } from '../../src/services/api/Intake.js';
import { createMemoryStatusStore } from '../../src/store/memory/index.js';
import { breakerOptions } from '../../src/system/breakerOptions.js';
import { workQueueLimits } from '../../src/system/workQueueLimits.js';
import { systemClock } from '../../src/tps/clock.js';
import { createRouter } from '../../src/tps/heijunka/index.js';
import { createBreaker, createLine, laneBreakerName } from '../../src/tps/jidoka/index.js';
import { startIntakeRung } from './intakeRung.js';
import { runTarget } from './runTarget.js';

const config = loadConfig();
const breaker = (name: string, timed: boolean) => createBreaker(breakerOptions(config, name, timed));
const laneBreakers = Object.fromEntries(LANES.map((lane) => [lane, breaker(laneBreakerName(lane), true)]));
const store = createMemoryStatusStore({
  maxRecords: config.statusMaxRecords,
  retentionMs: config.statusRetentionMs,
});
const router = createRouter(config.routes);
const intake = createIntake({
  store,
  queue: createMemoryWorkQueue(workQueueLimits(config)),
  route: (type) => router.route(type),
  payloadLimits: { maxDepth: config.maxPayloadDepth, maxMembers: config.maxPayloadKeys },
  line: createLine({ lanes: LANES, laneBreakers, halfOpenProbes: config.breakerProbes }),
  queueBreaker: breaker('queue', false),
  clock: systemClock,
  // No tracer provider is registered in this process: the API's no-op tracer, as with tracing compiled out.
  tracer: trace.getTracer('bench'),
  draining: () => false,
  drainRate: () => 0,
  accepted: () => undefined,
  rejected: () => undefined,
});

await runTarget(() => startIntakeRung(config, intake, store));

import { cascadeExperiment } from './cascade.js';
import { circuitBreakerExperiment } from './circuitBreaker.js';
import type { Experiment } from './Lab.js';
import { queueBacklogExperiment } from './queueBacklog.js';
import { queueOutageExperiment } from './queueOutage.js';
import { recoveryTimeExperiment } from './recoveryTime.js';
import { scalingExperiment } from './scaling.js';
import { workerCrashExperiment } from './workerCrash.js';

export * from './Lab.js';
export { formatExperiment } from './report.js';
export { renderTimelineSvg } from './svg.js';

/** Every experiment `tps experiment <name>` runs, in the order `tps experiment` lists them. */
export const EXPERIMENTS: readonly Experiment[] = [
  circuitBreakerExperiment,
  workerCrashExperiment,
  queueBacklogExperiment,
  recoveryTimeExperiment,
  cascadeExperiment,
  scalingExperiment,
  queueOutageExperiment,
];

export const findExperiment = (name: string): Experiment | undefined =>
  EXPERIMENTS.find((experiment) => experiment.name === name);

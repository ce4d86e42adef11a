import type { Command } from './Command.js';
import { apiCommand } from './commands/api.js';
import { chaosCommand } from './commands/chaos.js';
import { dlqCommand } from './commands/dlq.js';
import { experimentCommand } from './commands/experiment.js';
import { downCommand } from './commands/down.js';
import { downstreamCommand } from './commands/downstream.js';
import { healthCommand } from './commands/health.js';
import { helpCommand } from './commands/help.js';
import { infoCommand } from './commands/info.js';
import { loadCommand, spikeCommand } from './commands/load.js';
import { logsCommand } from './commands/logs.js';
import { metricsCommand } from './commands/metrics.js';
import { runLocalCommand } from './commands/runLocal.js';
import { signalCommand } from './commands/signal.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { stressCommand } from './commands/stress.js';
import { tracesCommand } from './commands/traces.js';
import { upCommand } from './commands/up.js';
import { workerCommand } from './commands/worker.js';

/** Every `tps` command, in the order `tps help` lists them. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  upCommand,
  downCommand,
  logsCommand,
  signalCommand,
  healthCommand,
  statusCommand,
  metricsCommand,
  infoCommand,
  tracesCommand,
  dlqCommand,
  chaosCommand,
  helpCommand(() => COMMANDS),
  loadCommand,
  spikeCommand,
  stressCommand,
  experimentCommand,
  runLocalCommand,
  apiCommand,
  workerCommand,
  downstreamCommand,
];

export const findCommand = (name: string): Command | undefined =>
  COMMANDS.find((command) => command.name === name);

import type { Command } from './Command.js';
import { apiCommand } from './commands/api.js';
import { chaosCommand } from './commands/chaos.js';
import { dlqCommand } from './commands/dlq.js';
import { downCommand } from './commands/down.js';
import { downstreamCommand } from './commands/downstream.js';
import { healthCommand } from './commands/health.js';
import { helpCommand } from './commands/help.js';
import { infoCommand } from './commands/info.js';
import { logsCommand } from './commands/logs.js';
import { metricsCommand } from './commands/metrics.js';
import { notBuiltCommand } from './commands/notBuilt.js';
import { runLocalCommand } from './commands/runLocal.js';
import { signalCommand } from './commands/signal.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { workerCommand } from './commands/worker.js';

const LAB = 'the load and chaos lab issue';

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
  dlqCommand,
  chaosCommand,
  helpCommand(() => COMMANDS),
  notBuiltCommand(
    'load',
    'open-model load at a fixed rate, with a latency report',
    'tps load --rate R --duration S',
    LAB,
  ),
  notBuiltCommand('spike', 'a burst: 1000 req/s for 10 s', 'tps spike', LAB),
  notBuiltCommand('stress', 'ramp the rate until it breaks, and report the capacity', 'tps stress', LAB),
  notBuiltCommand(
    'experiment',
    'a scripted run that measures one principle before and after',
    'tps experiment <name>',
    LAB,
  ),
  runLocalCommand,
  apiCommand,
  workerCommand,
  downstreamCommand,
];

export const findCommand = (name: string): Command | undefined =>
  COMMANDS.find((command) => command.name === name);

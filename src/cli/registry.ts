import type { Command } from './Command.js';
import { chaosCommand } from './commands/chaos.js';
import { dlqCommand } from './commands/dlq.js';
import { downCommand } from './commands/down.js';
import { healthCommand } from './commands/health.js';
import { helpCommand } from './commands/help.js';
import { infoCommand } from './commands/info.js';
import { logsCommand } from './commands/logs.js';
import { metricsCommand } from './commands/metrics.js';
import { notBuiltCommand } from './commands/notBuilt.js';
import { signalCommand } from './commands/signal.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';

const LAB = 'the load and chaos lab issue';
const DISTRIBUTED = 'the distributed mode issue';

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
  notBuiltCommand('api', 'the API alone, over NATS or RabbitMQ', 'tps api', DISTRIBUTED),
  notBuiltCommand('worker', 'one worker pool alone', 'tps worker --pool fast|slow', DISTRIBUTED),
  notBuiltCommand('downstream', 'the downstream services C → B → A alone', 'tps downstream', DISTRIBUTED),
];

export const findCommand = (name: string): Command | undefined =>
  COMMANDS.find((command) => command.name === name);

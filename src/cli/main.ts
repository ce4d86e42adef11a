#!/usr/bin/env node
/**
 * `tps`: finds the command named by the first argument and runs it. Everything else lives in commands/.
 * Exit codes: 0 ok, 1 failed (including nothing answering at the URL), 2 wrong usage.
 */
import { isUnreachableError } from './ApiClient.js';
import { overview } from './commands/help.js';
import { COMMANDS, findCommand } from './registry.js';
import { isUsageError, UsageError } from './UsageError.js';

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(overview(COMMANDS));
    return 0;
  }
  const command = findCommand(name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}'`);
    const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined);
    if (flags.includes('--help') || flags.includes('-h')) {
      console.log(command.usage);
      return 0;
    }
    return await command.run(args, { env: process.env });
  } catch (error) {
    if (isUsageError(error)) {
      const usage = error.command ? findCommand(error.command)?.usage : undefined;
      console.error(`tps${error.command ? ` ${error.command}` : ''}: ${error.message}`);
      console.error(usage ? `usage: ${usage}` : overview(COMMANDS));
      return 2;
    }
    if (isUnreachableError(error)) {
      console.error(error.message);
      return 1;
    }
    console.error(`tps ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

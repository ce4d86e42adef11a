import type { Command } from '../Command.js';
import { parseFlags } from '../parseFlags.js';
import { UsageError } from '../UsageError.js';

/** `tps help [command]`. Given the command list, not importing it, so the list can include help itself. */
export function helpCommand(commands: () => readonly Command[]): Command {
  return {
    name: 'help',
    summary: 'this list, or one command in detail: tps help <command> (also tps <command> --help)',
    usage: 'tps help [command]',
    run(args) {
      const { positionals } = parseFlags('help', args, {}, { positionals: true });
      const [name, extra] = positionals;
      if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, 'help');
      if (name === undefined) {
        console.log(overview(commands()));
        return Promise.resolve(0);
      }
      const command = commands().find((c) => c.name === name);
      if (!command) throw new UsageError(`unknown command '${name}'`);
      console.log(command.usage);
      return Promise.resolve(0);
    },
  };
}

/** The command list with each synopsis: what `tps`, `tps help` and an unknown command show. */
export function overview(commands: readonly Command[]): string {
  return [
    'usage: tps <command> [flags]',
    '',
    'commands (tps help <command>, or tps <command> --help, explains the flags):',
    ...commands.flatMap((c) => [...synopsis(c).map((line) => `  ${line}`), `      ${c.summary}`]),
    '',
    'Commands that talk to the API take --url URL (default http://localhost:$PORT, PORT defaulting to 8080).',
    'Exit codes: 0 ok, 1 failed or nothing answers, 2 wrong usage (tps health: 2 also when the andon is red).',
  ].join('\n');
}

/** The first lines of a usage text, up to the first blank line. */
const synopsis = (command: Command): string[] =>
  command.usage.split('\n\n')[0]?.split('\n') ?? [command.name];

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

/** The command list: what `tps`, `tps help` and a usage error without a command show. */
export function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const line = (c: Command) => `  ${c.name.padEnd(width)}  ${c.summary}`;
  const coming = commands.filter((c) => c.summary.endsWith('(coming)'));
  const ready = commands.filter((c) => !coming.includes(c));
  return [
    'usage: tps <command> [flags]      (tps help <command> for its flags)',
    '',
    'commands:',
    ...ready.map(line),
    '',
    'coming:',
    ...coming.map(line),
    '',
    'Commands that talk to the API take --url URL (default http://localhost:$PORT, PORT defaulting to 8080).',
    'Exit codes: 0 ok, 1 failed or unreachable, 2 wrong usage.',
  ].join('\n');
}

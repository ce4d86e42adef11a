import type { Command } from '../Command.js';

/** A command the design names that this build does not have yet: it says so and exits 2. */
export function notBuiltCommand(name: string, summary: string, usage: string, issue: string): Command {
  return {
    name,
    summary,
    coming: true,
    usage: `${usage}\n\n  Not built yet (see ${issue}).`,
    async run() {
      console.error(`tps ${name}: not built yet (see ${issue})`);
      return 2;
    },
  };
}

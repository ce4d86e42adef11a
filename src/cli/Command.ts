/** What every `tps` command gets: the environment it runs in (PORT, TPS_RUN_DIR, TPS_ADMIN_TOKEN, …). */
export interface CommandContext {
  env: NodeJS.ProcessEnv;
}

/** One `tps` subcommand. `run` resolves the exit code: 0 ok, 1 failed, 2 usage error. */
export interface Command {
  readonly name: string;
  /** One line for the command list in `tps help`. */
  readonly summary: string;
  /** The synopsis and its flags, shown by `tps help <command>`, `tps <command> --help` and after a usage error. */
  readonly usage: string;
  run(args: readonly string[], context: CommandContext): Promise<number>;
}

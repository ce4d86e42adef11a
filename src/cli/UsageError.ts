/** The command line was wrong (unknown command or flag, bad flag value): `tps` prints it with the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    /** The command whose usage to show; absent for an unknown command. */
    readonly command?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const isUsageError = (error: unknown): error is UsageError => error instanceof UsageError;

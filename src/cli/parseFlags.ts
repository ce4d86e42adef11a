import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './UsageError.js';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** The flag every command that talks to the API takes. */
export const URL_FLAG = { url: { type: 'string' } } as const satisfies FlagOptions;

/**
 * `util.parseArgs` in strict mode, its errors turned into one-line usage errors that name the flag
 * (node's own messages are long and speak of "options" and "positional arguments").
 */
export function parseFlags<const Options extends FlagOptions>(
  command: string,
  args: readonly string[],
  options: Options,
  { positionals = false }: { positionals?: boolean } = {},
) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError(explainParseError(error), command, { cause: error });
  }
}

function explainParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const flag = quoted.split(' ')[0] ?? quoted;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('argument missing')) return `flag ${flag} needs a value`;
      if (message.includes('does not take an argument')) return `flag ${flag} takes no value`;
      if (message.includes('ambiguous'))
        return `flag ${flag}: a value starting with '-' must be written ${flag}=VALUE`;
      return `flag ${flag}: ${message}`;
    default:
      return message.split('. ')[0] ?? message;
  }
}

/** A whole-number flag within bounds, or undefined when absent. */
export function integerFlag(
  command: string,
  flag: string,
  raw: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new UsageError(
      `flag --${flag} expects a whole number from ${min} to ${max}, got '${raw}'`,
      command,
    );
  }
  return value;
}

/** A decimal flag within bounds, or undefined when absent. */
export function numberFlag(
  command: string,
  flag: string,
  raw: string | undefined,
  { min, max }: { min: number; max: number },
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`flag --${flag} expects a number from ${min} to ${max}, got '${raw}'`, command);
  }
  return value;
}

/** A flag that takes one of a few words, or undefined when absent. */
export function choiceFlag<const Choice extends string>(
  command: string,
  flag: string,
  raw: string | undefined,
  choices: readonly Choice[],
): Choice | undefined {
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`flag --${flag} expects one of ${choices.join(', ')}, got '${raw}'`, command);
  }
  return raw as Choice;
}

/** Where the API is: `--url`, else http://localhost:$PORT (PORT defaulting to 8080, as the server's does). */
export function baseUrl(command: string, raw: string | undefined, env: NodeJS.ProcessEnv): string {
  const text = raw ?? `http://localhost:${env.PORT || 8080}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    if (raw === undefined)
      throw new UsageError(`PORT=${env.PORT} does not make a URL; set PORT to a number`, command);
    throw new UsageError(
      `flag --url expects an http(s) URL such as http://localhost:8080, got '${text}'`,
      command,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`flag --url expects an http(s) URL, got '${text}'`, command);
  }
  return url.href.replace(/\/+$/, '');
}

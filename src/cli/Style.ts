import { styleText } from 'node:util';

export type Tone = 'good' | 'warn' | 'bad' | 'dim' | 'bold';

const FORMATS: Record<Tone, Parameters<typeof styleText>[0]> = {
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
  bold: 'bold',
};

/** Colours text when writing to a terminal. Callers always print the word too, so colour is never the only cue. */
export interface Style {
  readonly enabled: boolean;
  tone(tone: Tone, text: string): string;
  /** An andon level (green, yellow, red) in its own colour. */
  level(level: string): string;
}

/** Colour on a TTY unless NO_COLOR is set (https://no-color.org), or when FORCE_COLOR asks for it. */
export function createStyle(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Style {
  const enabled =
    env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
      ? true
      : stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  // The decision is made here (and can be tested), so styleText is told not to check process.stdout again.
  const tone = (which: Tone, text: string) =>
    enabled ? styleText(FORMATS[which], text, { validateStream: false }) : text;
  const levelTone = (level: string): Tone | undefined =>
    (({ green: 'good', yellow: 'warn', red: 'bad' }) as Record<string, Tone>)[level];
  return {
    enabled,
    tone,
    level: (level) => {
      const which = levelTone(level);
      return which ? tone(which, level) : level;
    },
  };
}

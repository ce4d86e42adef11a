/** The soak's flags and arithmetic, apart from its I/O so that they can be tested on their own. */
import { parseArgs } from 'node:util';
import { MIX_NAMES, type MixName } from '../src/loadgen/mix.js';

export interface SoakOptions {
  /** Signals per second, open model. */
  rate: number;
  minutes: number;
  mix: MixName;
}

export const SOAK_USAGE = `usage: npm run soak -- [--rate N] [--minutes N] [--mix ${MIX_NAMES.join('|')}]
  --rate N      signals per second sent to the embedded system, open model (default 300, 1 to 20000)
  --minutes N   how long the load runs (default 10; a fraction such as 0.5 is allowed, at most 1440)
  --mix NAME    the share of fast- and slow-lane signals, as tps load --mix (default fast-heavy)`;

/** A bad flag or value throws an Error whose message names the flag. */
export function parseSoakFlags(argv: string[]): SoakOptions {
  let values: { rate: string; minutes: string; mix: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rate: { type: 'string', default: '300' },
        minutes: { type: 'string', default: '10' },
        mix: { type: 'string', default: 'fast-heavy' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // node:util's message names the flag: "Unknown option '--rte'", "Option '--rate <value>' argument missing".
    throw new Error((error as Error).message, { cause: error });
  }
  const rate = Number(values.rate);
  if (!(values.rate.trim() !== '' && Number.isFinite(rate) && rate >= 1 && rate <= 20_000)) {
    throw new Error(`flag --rate: expected signals per second from 1 to 20000, got "${values.rate}"`);
  }
  const minutes = Number(values.minutes);
  if (!(values.minutes.trim() !== '' && Number.isFinite(minutes) && minutes > 0 && minutes <= 1440)) {
    throw new Error(
      `flag --minutes: expected a number of minutes above 0, at most 1440, got "${values.minutes}"`,
    );
  }
  if (!(MIX_NAMES as readonly string[]).includes(values.mix)) {
    throw new Error(`flag --mix: expected one of ${MIX_NAMES.join(', ')}, got "${values.mix}"`);
  }
  return { rate, minutes, mix: values.mix as MixName };
}

/**
 * The least-squares slope of y over x (units of y per unit of x), or undefined with fewer than two points.
 * Written here: three sums do not justify a statistics package.
 */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const { x, y } of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? undefined : covariance / variance;
}

import envSchema from 'env-schema';
import type { LaneName, SignalType } from '../domain/signal.js';
import { redactSecrets } from '../errors/redactSecrets.js';
import { parseRoutes } from '../tps/heijunka/index.js';
import { describeAccepted, environmentSchema } from './schema.js';
import { SETTINGS, type SettingName } from './spec.js';

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;

type ValueOf<Spec> = Spec extends { type: 'integer' | 'number' }
  ? number
  : Spec extends { type: 'boolean' }
    ? boolean
    : Spec extends { enum: readonly (infer E)[] }
      ? E
      : string;

export type Settings = {
  readonly [Name in SettingName as CamelCase<Name>]: ValueOf<(typeof SETTINGS)[Name]>;
};

export interface PoolSettings {
  size: number;
  min: number;
  max: number;
  wipLimit: number;
}

/** The validated, frozen configuration: every setting plus what follows from them. */
export type Config = Settings & {
  readonly pools: Readonly<Record<LaneName, PoolSettings>>;
  /** SIGNAL_ROUTES, parsed: the signal types sent to another lane than the default. */
  readonly routes: Readonly<Partial<Record<SignalType, LaneName>>>;
};

/** Start-up stops with this when a variable is wrong; the message names it and what it accepts. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;

export const camelCase = (name: string): string =>
  name.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

/** Validates the environment once; `overrides` (camelCase keys) win over it, for tests and embedding. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Settings> = {}): Config {
  const data = Object.fromEntries(
    Object.keys(SETTINGS).flatMap((name) =>
      env[name] === undefined || env[name] === '' ? [] : [[name, env[name]]],
    ),
  );
  let validated: Record<string, unknown>;
  try {
    validated = envSchema({ schema: environmentSchema(), data, env: false, dotenv: false });
  } catch (error) {
    throw new ConfigError(explain(error, data), { cause: error });
  }
  const settings = Object.fromEntries(
    Object.keys(SETTINGS).map((name) => [
      camelCase(name),
      validated[name] ?? (SETTINGS as Record<string, { default?: unknown }>)[name]?.default,
    ]),
  ) as Record<string, unknown>;
  Object.assign(settings, overrides);
  const result = {
    ...(settings as Settings),
    pools: derivePools(settings as Settings),
    routes: deriveRoutes((settings as Settings).signalRoutes),
  };
  checkConsistency(result);
  return Object.freeze(result);
}

function deriveRoutes(text: string): Partial<Record<SignalType, LaneName>> {
  try {
    return parseRoutes(text);
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: SIGNAL_ROUTES=${JSON.stringify(text)} is not valid: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function derivePools(s: Settings): Record<LaneName, PoolSettings> {
  const pool = (override: number): PoolSettings => {
    const size = override || s.workerCount;
    const max = s.poolMax || size * 4;
    const min = s.poolMin ? Math.min(s.poolMin, size) : size;
    return { size, min, max, wipLimit: s.wipLimit || max };
  };
  return { fast: pool(s.fastPoolSize), slow: pool(s.slowPoolSize) };
}

function checkConsistency(config: Config): void {
  const starting = Object.values(config.pools).reduce((sum, pool) => sum + pool.size, 0);
  if (config.workerBudget > 0 && config.workerBudget < starting) {
    throw new ConfigError(
      `Invalid configuration: WORKER_BUDGET (${config.workerBudget}) is below the pools' starting sizes ` +
        `together (${starting}); raise WORKER_BUDGET, lower WORKER_COUNT, or set 0 for no sharing`,
    );
  }
  for (const [lane, pool] of Object.entries(config.pools)) {
    if (pool.max < pool.size) {
      throw new ConfigError(
        `Invalid configuration: POOL_MAX (${pool.max}) is below the ${lane} pool's starting size (${pool.size}); ` +
          'raise POOL_MAX or lower WORKER_COUNT / ' +
          `${lane.toUpperCase()}_POOL_SIZE`,
      );
    }
  }
}

interface AjvIssue {
  instancePath?: string;
  message?: string;
  params?: { additionalProperty?: string };
}

function explain(error: unknown, data: Record<string, unknown>): string {
  const issues = ((error as { errors?: AjvIssue[] }).errors ?? []).map((issue) => {
    const name = (issue.instancePath ?? '').replace(/^\//, '') as SettingName;
    if (!(name in SETTINGS)) return `${name || 'environment'} ${issue.message ?? 'is invalid'}`;
    return `${name}=${JSON.stringify(data[name])} is not valid: it accepts ${describeAccepted(name)}`;
  });
  const unique = [...new Set(issues)];
  return `Invalid configuration: ${unique.length > 0 ? unique.join('; ') : String(error)}`;
}

/** The effective configuration without secrets, for `/info`. */
export function publicConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS)) {
    const key = camelCase(name);
    const secret = 'secret' in spec && spec.secret;
    const value = (config as unknown as Record<string, unknown>)[key];
    const fallback = (spec as { default?: unknown }).default;
    // A URL that is not secret as a whole (NATS_URL, OTEL_EXPORTER_OTLP_ENDPOINT) may still carry credentials.
    const visible = typeof value === 'string' ? redactSecrets(value) : value;
    shown[name] = !secret ? visible : !value ? '(not set)' : value === fallback ? '(default)' : '(set)';
  }
  return shown;
}

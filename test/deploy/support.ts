/**
 * Shared helpers of the deployment tests: where the repository root (docker-compose.yml and the config files the
 * user guide names) and deploy/ (Kubernetes, provisioning, rules) are, and the checks of an environment against
 * SETTINGS.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, SETTINGS } from '../../src/config/index.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));

export const readText = (path: string): string => readFileSync(path, 'utf8');

export type Doc = Record<string, unknown>;

export const isRecord = (value: unknown): value is Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` as a record, or an assertion failure that names `what`. */
export function record(value: unknown, what: string): Doc {
  if (!isRecord(value)) throw new Error(`${what} is not a mapping: ${JSON.stringify(value)}`);
  return value;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list: ${JSON.stringify(value)}`);
  return value;
}

/** The names in `env` that are not settings of the system (src/config/spec.ts). */
export const unknownNames = (env: Record<string, string>): string[] =>
  Object.keys(env).filter((name) => !Object.hasOwn(SETTINGS, name));

/** Loads the configuration from exactly `env`, as the process would see it; throws ConfigError if invalid. */
export const loadFrom = (env: Record<string, string>) => loadConfig(env);

/** Environment values as strings, as a process sees them (YAML may give numbers or booleans). */
export const asEnv = (entries: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).map(([name, value]) => [name, text(value)]));

/** A YAML scalar as the string a process would see; anything else as JSON (which no setting accepts). */
export const text = (value: unknown): string => {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
};

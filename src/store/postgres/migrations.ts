import type { Pool } from 'pg';
import type { Logger } from 'pino';

/**
 * One step of the status store's schema. Steps are applied in order, each once, and never edited after they
 * have shipped: a change to the schema is a new step.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The SQL for a schema, given as an identifier already quoted (`"tps"`). */
  sql(schema: string): string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'signals',
    sql: (schema) => `
      CREATE TABLE ${schema}.signals (
        id           text PRIMARY KEY,
        signal_type  text NOT NULL,
        lane         text NOT NULL,
        status       text NOT NULL CHECK (status IN
                       ('queued', 'processing', 'completed', 'failed', 'expired', 'dead_lettered')),
        attempts     integer NOT NULL,
        created_at   timestamptz NOT NULL,
        started_at   timestamptz,
        completed_at timestamptz,
        error        text,
        trace_id     text NOT NULL,
        deadline     bigint,
        timeout_ms   integer,
        generation   integer NOT NULL DEFAULT 0,
        payload      jsonb,
        -- When the record became terminal (database time); NULL while it is in flight. Retention keys on it.
        terminal_at  timestamptz
      );
      CREATE INDEX signals_terminal_at_idx ON ${schema}.signals (terminal_at, id) WHERE terminal_at IS NOT NULL;
    `,
  },
];

/** Schema names the store accepts: a plain lower-case identifier, so it never needs escaping beyond quotes. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema name quoted for SQL; throws a RangeError naming the rule when it is not a plain identifier. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new RangeError(
      `schema must be a lower-case SQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(schema)}`,
    );
  }
  return `"${schema}"`;
}

/** The first key of the two-part advisory lock that serialises migrations of one schema. */
const MIGRATION_LOCK = 'tps.status-store.migrate';

/**
 * Brings the schema up to the newest step. Everything happens in one transaction that first takes an advisory
 * lock for this schema, so processes starting together apply each step once: the others wait for the lock,
 * then find the steps recorded in `schema_migrations` and apply nothing. Answers the versions it applied.
 */
export async function migrate(
  pool: Pool,
  schema: string,
  logger?: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const quoted = quoteSchema(schema);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [MIGRATION_LOCK, schema]);
    // Checked first, so a role without CREATE on the database can use a schema made for it beforehand.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
    const applied = new Set(done.rows.map((row) => row.version));
    const known = new Set(migrations.map((migration) => migration.version));
    const unknown = [...applied].filter((version) => !known.has(version));
    if (unknown.length > 0) {
      logger?.warn(
        { schema, versions: unknown },
        'the status store schema has steps this version does not know (a newer release migrated it)',
      );
    }
    const ran: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql(quoted));
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      ran.push(migration.version);
    }
    await client.query('COMMIT');
    if (ran.length > 0) logger?.info({ schema, versions: ran }, 'status store schema migrated');
    return ran;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-transaction is thrown away rather than handed to the next caller.
    client.release(broken);
  }
}

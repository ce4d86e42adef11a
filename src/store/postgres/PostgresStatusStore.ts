import pg from 'pg';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import {
  TERMINAL_STATUSES,
  type LaneName,
  type Payload,
  type SignalRecord,
  type SignalStatus,
  type SignalType,
} from '../../domain/signal.js';
import { redactSecrets } from '../../errors/redactSecrets.js';
import type { StatusStore } from '../StatusStore.js';
import { migrate, quoteSchema } from './migrations.js';

export interface PostgresStatusStoreOptions {
  /** `postgres://user:password@host:port/database`, as `DATABASE_URL` gives it. */
  connectionString: string;
  /** The schema the store owns (created by the migration when missing). Default `tps`. */
  schema?: string;
  /** Records held at most, as long as enough of them are terminal. Default 100 000. */
  maxRecords?: number;
  /** How long a terminal record is kept after it became terminal (database time). Default 15 minutes. */
  retentionMs?: number;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  logger?: Logger;
  /** How often terminal records past retention or over `maxRecords` are swept away. Default 5 000 ms. */
  sweepIntervalMs?: number;
  /** A sweep also starts after this many writes, so a busy store stays bounded between timer sweeps. Default 1 000. */
  sweepEveryWrites?: number;
  /** How long to wait for a connection (new or from the pool) before failing. Default 5 000 ms. */
  connectionTimeoutMs?: number;
}

/** Rows deleted per statement by a sweep: small, so a sweep never holds many row locks at once. */
const SWEEP_BATCH = 500;
/** Batches one sweep runs at most; what is left waits for the next (expired records are never served anyway). */
const SWEEP_MAX_BATCHES = 40;
/** The first key of the two-part advisory lock that lets one process at a time sweep a schema. */
const SWEEP_LOCK = 'tps.status-store.sweep';
/** Times `create` goes round when the conflicting record vanishes between its insert and its read. */
const CREATE_ATTEMPTS = 5;

const COLUMNS = [
  'id',
  'signal_type',
  'lane',
  'status',
  'attempts',
  'created_at',
  'started_at',
  'completed_at',
  'error',
  'trace_id',
  'deadline',
  'timeout_ms',
  'generation',
  'payload',
] as const;
const SELECTED = COLUMNS.join(', ');

type Field = Exclude<(typeof COLUMNS)[number], 'id'>;

/**
 * What `undefined` in a patch means per field: optional and nullable fields are cleared (the memory store
 * stores `undefined` too, which reads back as absent or, for the two nullable times, null); a required field
 * cannot be cleared, so `undefined` leaves it as it is.
 */
const CLEARABLE: ReadonlySet<Field> = new Set([
  'started_at',
  'completed_at',
  'error',
  'deadline',
  'timeout_ms',
  'payload',
]);
const PATCHABLE = COLUMNS.filter((column): column is Field => column !== 'id');

interface SignalRow {
  id: string;
  signal_type: string;
  lane: string;
  status: string;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  error: string | null;
  trace_id: string;
  /** bigint arrives as a string (pg's default); epoch milliseconds stay far below 2^53. */
  deadline: string | null;
  timeout_ms: number | null;
  generation: number;
  payload: Payload | null;
}

/** timestamptz keeps microseconds; ISO strings from `toISOString()` carry milliseconds, so they round-trip. */
const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

const toRecord = (row: SignalRow): SignalRecord => ({
  id: row.id,
  signal_type: row.signal_type as SignalType,
  lane: row.lane as LaneName,
  status: row.status as SignalStatus,
  attempts: row.attempts,
  created_at: row.created_at.toISOString(),
  started_at: iso(row.started_at),
  completed_at: iso(row.completed_at),
  ...(row.error === null ? {} : { error: row.error }),
  trace_id: row.trace_id,
  ...(row.deadline === null ? {} : { deadline: Number(row.deadline) }),
  ...(row.timeout_ms === null ? {} : { timeout_ms: row.timeout_ms }),
  ...(row.payload === null ? {} : { payload: row.payload }),
  generation: row.generation,
});

/** A field's value as a query parameter: absent optional fields are NULL, the payload goes as JSON text. */
const encode = (field: Field, value: unknown): unknown => {
  if (value === undefined || value === null) return null;
  return field === 'payload' ? JSON.stringify(value) : value;
};

/** `postgres://user:secret@host/db` without the secret, for messages; a keyword string is not shown at all. */
const redact = (connectionString: string): string =>
  connectionString.includes('://') ? redactSecrets(connectionString) : '(connection string)';

const positiveInteger = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number ≥ 1, got ${value}`);
  }
  return value;
};

/**
 * Signal statuses in a PostgreSQL table, shared by every process of the distributed mode. The schema comes from
 * numbered migrations applied at start-up. Retention uses the database's clock: a record's `terminal_at` is
 * set by `now()` when its status becomes terminal, reads never answer a record past retention, and a sweep
 * (on a timer, and every `sweepEveryWrites` writes) deletes such records and, over `maxRecords`, the oldest
 * terminal ones, in small batches, one process at a time. Records in flight have no `terminal_at`, so no sweep
 * can touch them.
 *
 * Build it with `createPostgresStatusStore()`, which runs the migration before it answers.
 */
export class PostgresStatusStore implements StatusStore {
  readonly schema: string;
  private readonly pool: Pool;
  private readonly logger: Logger | undefined;
  private readonly maxRecords: number;
  private readonly retentionMs: number;
  private readonly sweepIntervalMs: number;
  private readonly sweepEveryWrites: number;
  private readonly sql: ReturnType<typeof statements>;
  /** Update statements by text, each with its own prepared-statement name (one per set of patched fields). */
  private readonly updates = new Map<string, string>();
  private writesSinceSweep = 0;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweepAgain = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PostgresStatusStoreOptions) {
    this.schema = options.schema ?? 'tps';
    const quoted = quoteSchema(this.schema);
    this.maxRecords = positiveInteger('maxRecords', options.maxRecords ?? 100_000);
    this.retentionMs = options.retentionMs ?? 15 * 60_000;
    if (!Number.isSafeInteger(this.retentionMs) || this.retentionMs < 0) {
      throw new RangeError(`retentionMs must be a whole number of milliseconds ≥ 0, got ${this.retentionMs}`);
    }
    this.sweepIntervalMs = positiveInteger('sweepIntervalMs', options.sweepIntervalMs ?? 5_000);
    this.sweepEveryWrites = positiveInteger('sweepEveryWrites', options.sweepEveryWrites ?? 1_000);
    this.logger = options.logger?.child({
      component: 'status-store',
      backend: 'postgres',
      schema: this.schema,
    });
    this.sql = statements(quoted, this.retentionMs);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: positiveInteger('poolSize', options.poolSize ?? 10),
      connectionTimeoutMillis: positiveInteger('connectionTimeoutMs', options.connectionTimeoutMs ?? 5_000),
      application_name: 'tps-status-store',
    });
    // An idle connection that breaks (the server restarted) must not crash the process: the pool drops it.
    this.pool.on('error', (error) => this.logger?.warn({ err: error }, 'idle PostgreSQL connection lost'));
  }

  /** Runs the migration and starts the retention timer; `createPostgresStatusStore()` calls it. */
  async start(): Promise<void> {
    try {
      await migrate(this.pool, this.schema, this.logger);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `The PostgreSQL status store could not start (${redact(this.options.connectionString)}, schema ${this.schema}): ${reason}`,
        { cause: error },
      );
    }
    this.timer = setInterval(() => void this.sweep(), this.sweepIntervalMs);
    this.timer.unref();
  }

  async create(record: SignalRecord): Promise<{ record: SignalRecord; created: boolean }> {
    const values = [record.id, ...PATCHABLE.map((field) => encode(field, record[field]))];
    values.push(TERMINAL_STATUSES.has(record.status));
    for (let attempt = 1; ; attempt++) {
      const inserted = await this.query<SignalRow>('tps_create', this.sql.create, values);
      const row = inserted.rows[0];
      if (row) {
        this.wrote();
        return { record: toRecord(row), created: true };
      }
      const existing = await this.get(record.id);
      if (existing) return { record: existing, created: false };
      // The record that was in the way was deleted or expired in between: insert again.
      if (attempt >= CREATE_ATTEMPTS) {
        throw new Error(`create ${record.id}: the id was in use but its record could not be read`);
      }
    }
  }

  async get(id: string): Promise<SignalRecord | undefined> {
    const result = await this.query<SignalRow>('tps_get', this.sql.get, [id]);
    const row = result.rows[0];
    return row && toRecord(row);
  }

  async update(id: string, patch: Partial<Omit<SignalRecord, 'id'>>): Promise<SignalRecord | undefined> {
    const values: unknown[] = [id];
    const assignments: string[] = [];
    for (const field of PATCHABLE) {
      if (!Object.hasOwn(patch, field)) continue;
      const value = patch[field];
      if (value === undefined && !CLEARABLE.has(field)) continue;
      values.push(encode(field, value));
      assignments.push(`${field} = $${values.length}`);
    }
    if (patch.status !== undefined) {
      // Terminal → terminal keeps the first mark, as the memory store does; leaving terminal clears it.
      assignments.push(
        TERMINAL_STATUSES.has(patch.status)
          ? 'terminal_at = coalesce(terminal_at, now())'
          : 'terminal_at = NULL',
      );
    }
    if (assignments.length === 0) return this.get(id);
    const text = this.sql.update(assignments.join(', '));
    let name = this.updates.get(text);
    if (name === undefined) {
      name = `tps_update_${this.updates.size}`;
      this.updates.set(text, name);
    }
    const result = await this.query<SignalRow>(name, text, values);
    const row = result.rows[0];
    if (!row) return undefined;
    this.wrote();
    return toRecord(row);
  }

  async delete(id: string): Promise<void> {
    await this.query('tps_delete', this.sql.delete, [id]);
  }

  /** Records held and still served: those past retention are not counted even before a sweep removes them. */
  async size(): Promise<number> {
    const result = await this.query<{ count: string }>('tps_size', this.sql.size, []);
    return Number(result.rows[0]?.count ?? 0);
  }

  /** Resolves when the database answers a query; for `/health`. */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /**
   * Removes terminal records past retention, then the oldest terminal ones while the table holds more than
   * `maxRecords`, in batches of a few hundred. Runs by itself; exposed so tests and shutdown can force one.
   */
  sweep(): Promise<void> {
    if (this.closing) return Promise.resolve();
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      do {
        this.sweepAgain = false;
        this.writesSinceSweep = 0;
        try {
          const removed = await this.sweepOnce();
          if (removed > 0) this.logger?.debug({ removed }, 'status store swept');
        } catch (error) {
          this.logger?.warn({ err: error }, 'status store sweep failed; the next one tries again');
        }
      } while (this.sweepAgain && !this.closing);
    })().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await this.sweeping;
      await this.pool.end();
    })();
    return this.closing;
  }

  private query<Row extends QueryResultRow>(name: string, text: string, values: unknown[]) {
    return this.pool.query<Row>({ name, text, values });
  }

  private wrote(): void {
    this.writesSinceSweep += 1;
    if (this.writesSinceSweep >= this.sweepEveryWrites) void this.sweep();
  }

  private async sweepOnce(): Promise<number> {
    let removed = 0;
    for (let batch = 0; batch < SWEEP_MAX_BATCHES; batch++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        const deleted = await this.sweepBatch(client);
        removed += deleted;
        if (deleted < SWEEP_BATCH) return removed;
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        client.release(broken);
      }
    }
    return removed;
  }

  /** One short transaction: past-retention records first, then over-size ones. Answers how many went. */
  private async sweepBatch(client: PoolClient): Promise<number> {
    await client.query('BEGIN');
    try {
      const lock = await client.query<{ locked: boolean }>(this.sql.sweepLock, [SWEEP_LOCK, this.schema]);
      if (!lock.rows[0]?.locked) {
        // Another process is sweeping this schema right now; it will do the work.
        await client.query('COMMIT');
        return 0;
      }
      const expired = await client.query(this.sql.deleteExpired, [SWEEP_BATCH]);
      let deleted = expired.rowCount ?? 0;
      if (deleted < SWEEP_BATCH) {
        const held = await client.query<{ count: string }>(this.sql.countAll);
        const excess = Math.min(SWEEP_BATCH - deleted, Number(held.rows[0]?.count ?? 0) - this.maxRecords);
        if (excess > 0) deleted += (await client.query(this.sql.deleteOldest, [excess])).rowCount ?? 0;
      }
      await client.query('COMMIT');
      return deleted;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/** The store's SQL for one schema and retention (a validated whole number, so it is written into the text). */
function statements(schema: string, retentionMs: number) {
  const table = `${schema}.signals`;
  const expiredBefore = `now() - interval '${retentionMs} milliseconds'`;
  const live = `(terminal_at IS NULL OR terminal_at > ${expiredBefore})`;
  const placeholders = COLUMNS.map((_, index) => `$${index + 1}`).join(', ');
  const terminalParameter = `$${COLUMNS.length + 1}`;
  return {
    /**
     * Inserts a new id; an id whose record is past retention (not swept yet) counts as new, as it does for the
     * memory store, so its row is replaced. A live record is left alone, and nothing is returned.
     */
    create: `
      INSERT INTO ${table} (${SELECTED}, terminal_at)
      VALUES (${placeholders}, CASE WHEN ${terminalParameter}::boolean THEN now() END)
      ON CONFLICT (id) DO UPDATE SET
        ${[...PATCHABLE, 'terminal_at'].map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
      WHERE ${table}.terminal_at IS NOT NULL AND ${table}.terminal_at <= ${expiredBefore}
      RETURNING ${SELECTED}`,
    get: `SELECT ${SELECTED} FROM ${table} WHERE id = $1 AND ${live}`,
    update: (assignments: string) =>
      `UPDATE ${table} SET ${assignments} WHERE id = $1 AND ${live} RETURNING ${SELECTED}`,
    delete: `DELETE FROM ${table} WHERE id = $1`,
    size: `SELECT count(*) AS count FROM ${table} WHERE ${live}`,
    countAll: `SELECT count(*) AS count FROM ${table}`,
    sweepLock: 'SELECT pg_try_advisory_xact_lock(hashtext($1), hashtext($2)) AS locked',
    // SKIP LOCKED: a row a writer holds is left for the next sweep; when a retry has just made it queued again,
    // the row no longer matches once the writer commits, so an in-flight record is never taken.
    deleteExpired: `
      DELETE FROM ${table} WHERE id IN (
        SELECT id FROM ${table} WHERE terminal_at <= ${expiredBefore}
        ORDER BY terminal_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)`,
    deleteOldest: `
      DELETE FROM ${table} WHERE id IN (
        SELECT id FROM ${table} WHERE terminal_at IS NOT NULL
        ORDER BY terminal_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)`,
  };
}

/** Connects, migrates the schema and starts retention; rejects (naming the database, not its password) when it cannot. */
export async function createPostgresStatusStore(
  options: PostgresStatusStoreOptions,
): Promise<PostgresStatusStore> {
  const store = new PostgresStatusStore(options);
  try {
    await store.start();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

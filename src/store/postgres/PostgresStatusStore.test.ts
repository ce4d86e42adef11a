import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { POSTGRES, skipUnless } from '../../../test/support/services.js';
import { waitFor } from '../../../test/support/waitFor.js';
import { describeStatusStoreConformance, signalRecord } from '../../../test/conformance/statusStore.js';
import { MIGRATIONS, migrate } from './migrations.js';
import {
  createPostgresStatusStore,
  type PostgresStatusStore,
  type PostgresStatusStoreOptions,
} from './PostgresStatusStore.js';

/** Where the tests make their schemas; each test gets its own `tps_test_<random>` and drops it afterwards. */
const connectionString =
  process.env.TPS_TEST_DATABASE_URL ?? `postgresql://postgres@${POSTGRES.host}:${POSTGRES.port}/postgres`;

const skip = await skipUnless(POSTGRES);

describe('PostgresStatusStore', { skip }, () => {
  const schemas = new Set<string>();
  const stores: PostgresStatusStore[] = [];
  const admin = new pg.Pool({ connectionString, max: 2 });

  /** A schema name no other test uses; dropped when the file's tests are done. */
  const freshSchema = (): string => {
    const schema = `tps_test_${randomBytes(6).toString('hex')}`;
    schemas.add(schema);
    return schema;
  };

  const open = async (options: Partial<PostgresStatusStoreOptions> = {}): Promise<PostgresStatusStore> => {
    const store = await createPostgresStatusStore({
      connectionString,
      schema: freshSchema(),
      sweepIntervalMs: 20,
      ...options,
    });
    stores.push(store);
    return store;
  };

  const dropSchemas = async (): Promise<void> => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    schemas.clear();
  };

  after(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await dropSchemas();
    await admin.end();
  });

  describeStatusStoreConformance('PostgreSQL', {
    // The store keeps database time, so the suite waits for short retentions in real time.
    followsClock: false,
    create: ({ maxRecords, retentionMs } = {}) =>
      createPostgresStatusStore({
        connectionString,
        schema: freshSchema(),
        sweepIntervalMs: 20,
        ...(maxRecords === undefined ? {} : { maxRecords }),
        ...(retentionMs === undefined ? {} : { retentionMs }),
      }),
    cleanup: dropSchemas,
  });

  const rowsIn = async (schema: string): Promise<number> => {
    const result = await admin.query<{ count: string }>(`SELECT count(*) AS count FROM "${schema}".signals`);
    return Number(result.rows[0]?.count);
  };

  it('applies each migration once when several stores start together on a fresh schema', async () => {
    const schema = freshSchema();
    const started = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresStatusStore({ connectionString, schema })),
    );
    stores.push(...started);
    const applied = await admin.query<{ version: number; name: string }>(
      `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
    );
    assert.deepEqual(
      applied.rows,
      MIGRATIONS.map(({ version, name }) => ({ version, name })),
    );
    const record = signalRecord();
    assert.equal((await started[0]!.create(record)).created, true);
    assert.deepEqual(await started[3]!.get(record.id), record);
  });

  it('applies nothing on a schema that is already migrated', async () => {
    const store = await open();
    const pool = new pg.Pool({ connectionString, max: 1 });
    try {
      assert.deepEqual(await migrate(pool, store.schema), []);
    } finally {
      await pool.end();
    }
  });

  it("serves one process's writes to another: a record one store writes, another reads and updates", async () => {
    const writer = await open();
    const reader = await createPostgresStatusStore({ connectionString, schema: writer.schema });
    stores.push(reader);
    const record = signalRecord({ payload: { n: 1 }, timeout_ms: 5_000, deadline: Date.now() + 5_000 });
    await writer.create(record);
    assert.deepEqual(await reader.get(record.id), record);
    assert.deepEqual(await reader.create({ ...record, attempts: 9 }), { record, created: false });

    const startedAt = new Date().toISOString();
    await reader.update(record.id, { status: 'processing', attempts: 1, started_at: startedAt });
    assert.deepEqual(await writer.get(record.id), {
      ...record,
      status: 'processing',
      attempts: 1,
      started_at: startedAt,
    });
    await writer.delete(record.id);
    assert.equal(await reader.get(record.id), undefined);
  });

  it('takes 10 000 creates, then counts them all', async (t) => {
    const store = await open({ poolSize: 16 });
    const records = Array.from({ length: 10_000 }, () => signalRecord({ payload: { work_ms: 0 } }));
    const inParallel = async (work: (record: (typeof records)[number]) => Promise<unknown>) => {
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < records.length) await work(records[next++]!);
        }),
      );
      return Math.round(records.length / ((performance.now() - started) / 1_000));
    };
    const creates = await inParallel((record) => store.create(record));
    assert.equal(await store.size(), records.length);
    const gets = await inParallel((record) => store.get(record.id));
    const updates = await inParallel((record) =>
      store.update(record.id, { status: 'processing', attempts: 1, started_at: new Date().toISOString() }),
    );
    assert.equal(await store.size(), records.length);
    assert.equal((await store.get(records[9_999]!.id))?.status, 'processing');
    t.diagnostic(`32 callers, pool of 16: ${creates} creates/s, ${gets} gets/s, ${updates} updates/s`);
  });

  it('never serves a record past its retention, even before a sweep removes it', async () => {
    const store = await open({ retentionMs: 50, sweepIntervalMs: 3_600_000 });
    const record = signalRecord({ status: 'completed', completed_at: new Date().toISOString() });
    await store.create(record);
    await waitFor(async () => (await store.get(record.id)) === undefined, {
      message: 'the record to expire',
    });
    assert.equal(await store.update(record.id, { error: 'late' }), undefined);
    assert.equal(await store.size(), 0);
    assert.equal(await rowsIn(store.schema), 1, 'the row is still there: no sweep has run');

    const again = { ...record, status: 'queued' as const, completed_at: null };
    assert.deepEqual(await store.create(again), { record: again, created: true }, 'the id is free again');
    assert.deepEqual(await store.get(record.id), again);
  });

  it('stays bounded under a stream of writes: at most maxRecords plus the writes since the last sweep', async () => {
    const store = await open({ maxRecords: 500, sweepEveryWrites: 200, sweepIntervalMs: 3_600_000 });
    const inFlight = signalRecord({ status: 'processing' });
    await store.create(inFlight);
    const done = Array.from({ length: 2_000 }, () =>
      signalRecord({ status: 'completed', completed_at: new Date().toISOString() }),
    );
    for (const record of done) await store.create(record);
    // Each sweep brings the table down to maxRecords; fewer than sweepEveryWrites writes can follow the last.
    await waitFor(async () => (await rowsIn(store.schema)) < 500 + 200, {
      message: 'the write-triggered sweeps to hold the table under 700 rows',
    });
    await store.sweep();
    assert.equal(await rowsIn(store.schema), 500, 'a sweep leaves exactly maxRecords');
    assert.deepEqual(await store.get(inFlight.id), inFlight, 'the record in flight stays');
    assert.ok(await store.get(done.at(-1)!.id), 'the newest terminal record stays');
    assert.equal(await store.get(done[0]!.id), undefined, 'the oldest terminal record went first');
  });

  it('answers ping while the database is up, and closes more than once without complaint', async () => {
    const store = await open();
    await store.ping();
    await store.close();
    await store.close();
    await assert.rejects(store.ping());
  });

  it('refuses a schema name that is not a plain identifier, before connecting', async () => {
    await assert.rejects(
      createPostgresStatusStore({ connectionString, schema: 'tps; DROP TABLE x' }),
      (error: unknown) => error instanceof RangeError && /schema must be/.test(error.message),
    );
  });

  it('fails to start with a message naming the database but not its password', async () => {
    const unreachable = 'postgresql://postgres:hunter2@127.0.0.1:1/postgres';
    await assert.rejects(
      createPostgresStatusStore({ connectionString: unreachable, schema: freshSchema() }),
      (error: unknown) =>
        error instanceof Error &&
        /could not start \(postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres/.test(error.message) &&
        !error.message.includes('hunter2'),
    );
  });
});

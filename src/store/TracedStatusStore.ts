import { SpanKind, trace, type Attributes, type Context, type Tracer } from '@opentelemetry/api';
import type { SignalRecord } from '../domain/signal.js';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '../telemetry/semconv.js';
import { ATTRIBUTES, inLeafSpan } from '../telemetry/spans.js';
import { isSampled } from '../telemetry/traceContext.js';
import type { StatusStore } from './StatusStore.js';

/**
 * What the spans say the store is. PostgreSQL's are database client spans as the conventions name them
 * (`INSERT tps.signals`, `db.system.name`, the table, the server); the memory store is no database, so its spans
 * keep their own names and say `tps.store = memory`.
 */
export type StoreTarget =
  { system: 'memory' } | { system: 'postgresql'; table: string; address?: string; port?: number };

/** The target of a PostgreSQL store: its table and, from its URL, the server (never the credentials). */
export function postgresTarget(connectionString: string, schema: string): StoreTarget {
  const table = `${schema}.signals`;
  try {
    const url = new URL(connectionString);
    return { system: 'postgresql', table, address: url.hostname, port: Number(url.port || 5432) };
  } catch {
    return { system: 'postgresql', table };
  }
}

/**
 * The status-store writes as spans of the signal's trace (the "database" stage of the value stream). Only
 * writes made inside a trace (given a context with a span in it) are recorded: bookkeeping outside one would
 * start a trace of a single span.
 */
export class TracedStatusStore implements StatusStore {
  private readonly common: Attributes;

  constructor(
    private readonly store: StatusStore,
    /** The tracer of the role that writes (api or worker): a database span belongs to its caller's service. */
    private readonly tracer: Tracer,
    private readonly target: StoreTarget,
  ) {
    this.common =
      target.system === 'memory'
        ? { [ATTRIBUTES.service]: 'store', 'tps.store': 'memory' }
        : {
            [ATTRIBUTES.service]: 'store',
            [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
            [ATTR_DB_COLLECTION_NAME]: target.table,
            ...(target.address === undefined ? {} : { [ATTR_SERVER_ADDRESS]: target.address }),
            ...(target.port === undefined ? {} : { [ATTR_SERVER_PORT]: target.port }),
          };
  }

  /** The same store, its spans recorded by another role's tracer (the embedded system's one store). */
  tracedBy(tracer: Tracer): TracedStatusStore {
    return new TracedStatusStore(this.store, tracer, this.target);
  }

  create(record: SignalRecord, parent?: Context) {
    return this.traced('INSERT', record.id, undefined, parent, () => this.store.create(record));
  }
  get(id: string) {
    return this.store.get(id);
  }
  update(id: string, patch: Partial<Omit<SignalRecord, 'id'>>, parent?: Context) {
    return this.traced('UPDATE', id, patch.status, parent, () => this.store.update(id, patch));
  }
  delete(id: string) {
    return this.store.delete(id);
  }
  size() {
    return this.store.size();
  }
  close() {
    return this.store.close();
  }

  private traced<T>(
    operation: 'INSERT' | 'UPDATE',
    id: string,
    status: string | undefined,
    parent: Context | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    // Outside a trace, or in one nobody records: nothing to build (the write runs as it would untraced).
    const span = parent && trace.getSpan(parent);
    if (!parent || !span || !isSampled(span.spanContext())) return write();
    const attributes: Attributes = { ...this.common, [ATTRIBUTES.signalId]: id };
    if (status !== undefined) attributes['tps.status'] = status;
    let name: string;
    if (this.target.system === 'memory') {
      name =
        operation === 'INSERT' ? 'store create' : `store update${status === undefined ? '' : ` ${status}`}`;
    } else {
      name = `${operation} ${this.target.table}`;
      attributes[ATTR_DB_OPERATION_NAME] = operation;
    }
    return inLeafSpan(this.tracer, name, { kind: SpanKind.CLIENT, attributes }, parent, write);
  }
}

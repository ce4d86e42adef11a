import { SpanKind, trace, type Context, type Tracer } from '@opentelemetry/api';
import type { SignalRecord } from '../domain/signal.js';
import { ATTRIBUTES, inLeafSpan } from '../telemetry/spans.js';
import type { StatusStore } from './StatusStore.js';

/**
 * The status-store writes as spans of the signal's trace (the "database" stage of the value stream). Only
 * writes made inside a trace (given a context with a span in it) are recorded: bookkeeping outside one would
 * start a trace of a single span.
 */
export class TracedStatusStore implements StatusStore {
  constructor(
    private readonly store: StatusStore,
    private readonly tracer: Tracer,
    /** db.system of the spans: memory or postgresql. */
    private readonly system: string,
  ) {}

  create(record: SignalRecord, parent?: Context) {
    return this.traced('store create', record.id, parent, () => this.store.create(record));
  }
  get(id: string) {
    return this.store.get(id);
  }
  update(id: string, patch: Partial<Omit<SignalRecord, 'id'>>, parent?: Context) {
    const what = patch.status === undefined ? 'store update' : `store update ${patch.status}`;
    return this.traced(what, id, parent, () => this.store.update(id, patch));
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
    name: string,
    id: string,
    parent: Context | undefined,
    write: () => Promise<T>,
  ): Promise<T> {
    if (!parent || !trace.getSpan(parent)) return write();
    const attributes = {
      [ATTRIBUTES.service]: 'store',
      [ATTRIBUTES.signalId]: id,
      'db.system': this.system,
    };
    return inLeafSpan(this.tracer, name, { kind: SpanKind.CLIENT, attributes }, parent, write);
  }
}

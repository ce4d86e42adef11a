import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { QueueUnavailableError, isQueueFullError } from '../../errors/queueErrors.js';
import type { QueueAvailability } from '../WorkQueue.js';
import { describe } from './jetStreamSupport.js';

export interface ConnectionEvents {
  /** The connection came back: a server that lost its store needs the streams set up again. */
  reconnected(): void;
  /** The connection closed without the queue closing it. */
  closedUnderneath(): void;
}

/**
 * Whether the queue can reach JetStream, kept from the connection's status events, so publish and settling
 * fail at once with `QueueUnavailableError` while the connection is down instead of waiting for a timeout.
 */
export class NatsConnectionStatus {
  private state: QueueAvailability = { available: true };
  private queueClosed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {}

  /** True once the queue itself is closing or closed. */
  get closed(): boolean {
    return this.queueClosed;
  }

  get available(): boolean {
    return this.state.available;
  }

  markClosed(): void {
    this.queueClosed = true;
  }

  availability(): QueueAvailability {
    return { ...this.state };
  }

  /** The error to throw before trying anything, or undefined when the queue can try. */
  refusal(): QueueUnavailableError | undefined {
    if (this.queueClosed) return new QueueUnavailableError('the NATS queue is closed');
    if (this.state.available) return undefined;
    return new QueueUnavailableError(`NATS is unavailable: ${this.state.cause ?? 'unknown cause'}`);
  }

  /** Wraps a failure as `QueueUnavailableError`, naming the connection's trouble when there is one. */
  unavailable(action: string, error: unknown): Error {
    if (error instanceof QueueUnavailableError || isQueueFullError(error)) return error;
    const state = this.state.available ? '' : ` (${this.state.cause ?? 'disconnected'})`;
    return new QueueUnavailableError(`${action} failed${state}: ${describe(error)}`, { cause: error });
  }

  watch(events: ConnectionEvents): void {
    const status = this.nc.status();
    void (async () => {
      for await (const event of status) {
        switch (event.type) {
          case 'disconnect':
            this.setUnavailable(`disconnected from NATS at ${event.server}`);
            break;
          case 'reconnecting':
            if (!this.state.available && !this.state.cause?.endsWith('; reconnecting')) {
              this.setUnavailable(`${this.state.cause ?? 'disconnected from NATS'}; reconnecting`);
            }
            break;
          case 'staleConnection':
            this.setUnavailable('the NATS server stopped answering pings');
            break;
          case 'reconnect':
            this.state = { available: true };
            this.log.info({ server: event.server }, 'reconnected to NATS');
            events.reconnected();
            break;
          case 'error':
            this.log.warn({ err: event.error }, 'NATS connection error');
            break;
          case 'ldm':
            this.log.warn({ server: event.server }, 'NATS server entering lame-duck mode');
            break;
          case 'close':
            this.setUnavailable(this.queueClosed ? 'the queue is closed' : 'the NATS connection closed');
            break;
          default:
            break;
        }
      }
    })();
    void this.nc.closed().then(() => {
      this.setUnavailable(this.queueClosed ? 'the queue is closed' : 'the NATS connection closed');
      if (!this.queueClosed) events.closedUnderneath();
    });
  }

  private setUnavailable(cause: string): void {
    if (!this.state.available && this.state.cause === cause) return;
    const wasAvailable = this.state.available;
    this.state = { available: false, cause };
    if (wasAvailable && !this.queueClosed) this.log.warn({ cause }, 'NATS unavailable');
  }
}

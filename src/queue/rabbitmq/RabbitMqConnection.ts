import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type Message,
  type RecoveringChannelModel,
} from 'amqplib';
import type { Logger } from 'pino';
import { QueueUnavailableError } from '../../errors/queueErrors.js';
import { withoutStack } from '../../errors/withoutStack.js';
import type { QueueAvailability } from '../WorkQueue.js';
import { describe, ignore } from './lanes.js';

/** One connection's worth of channels; replaced as a whole when the connection or any of its channels is lost. */
export interface Session {
  readonly id: number;
  readonly model: ChannelModel;
  live: boolean;
  /** Message keys the broker returned as unroutable (mandatory publish whose queue is gone). */
  readonly returned: Set<string>;
}

export interface ReadySession extends Session {
  /** Publisher confirms: a publish resolves on the broker's ack. */
  readonly publisher: ConfirmChannel;
  /** Declarations and depth reads. */
  readonly admin: Channel;
}

/** What the queue does on each new session and when one is lost. */
export interface SessionHooks {
  /** Declares what the session needs before it counts as ready (publishes may then use it). */
  prepare(session: ReadySession): Promise<void>;
  /** Runs once the session is the current one: consumers a `receive` asked for start again here. */
  resume(session: ReadySession): Promise<void>;
  /** The session's channels are gone, and with them every delivery that lived on them. */
  lost(session: Session): void;
}

export interface RabbitMqConnectionOptions {
  url: string;
  prefix: string;
  logger: Logger;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  connectTimeoutMs?: number;
}

let sessions = 0;

/** Host and port only: the URL may carry a password. */
const where = (url: string): string => {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || '5672'}`;
  } catch {
    return 'the AMQP URL';
  }
};

/**
 * The connection and its session: amqplib's recovery reconnects with backoff, and every (re)connection builds a
 * fresh session of channels. Losing the connection or any channel ends the session in one place (`lose`).
 */
export class RabbitMqConnection {
  readonly where: string;
  private connection: RecoveringChannelModel | undefined;
  private current: ReadySession | undefined;
  private cause: string | undefined = 'not connected yet';
  /** What ended the last session, kept while reconnect attempts fail. */
  private lossCause: string | undefined;
  private blocked: string | undefined;
  private closedFlag = false;

  constructor(
    private readonly options: RabbitMqConnectionOptions,
    private readonly hooks: SessionHooks,
  ) {
    this.where = where(options.url);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The current session, if any; it may have just been lost (check `live`). */
  get session(): ReadySession | undefined {
    return this.current;
  }

  get isBlocked(): boolean {
    return this.blocked !== undefined;
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  /**
   * Opens the connection. The first attempt fails at once with a `QueueUnavailableError` naming the cause; once
   * connected, a lost connection is retried with backoff for ever.
   */
  async connect(): Promise<void> {
    if (this.connection || this.closedFlag)
      throw new Error('connect() is called once, by createRabbitMqWorkQueue');
    const { initialDelayMs = 100, maxDelayMs = 5_000 } = this.options.reconnect ?? {};
    const connection = await connect(this.options.url, {
      timeout: this.options.connectTimeoutMs ?? 5_000,
      clientProperties: { connection_name: `tps queue ${this.options.prefix} (pid ${process.pid})` },
      recovery: {
        initialDelay: initialDelayMs,
        maxDelay: maxDelayMs,
        initialMaxRetries: 0,
        waitForConnect: false,
        setup: (model: ChannelModel) => this.setUp(model),
      },
    });
    this.connection = connection;
    connection.on('error', (err: Error) => this.logger.warn({ err }, 'RabbitMQ connection error'));
    connection.on('connect-failed', (err: Error) => {
      if (this.closedFlag) return;
      const lost = this.lossCause ?? `cannot connect to RabbitMQ at ${this.where}`;
      this.cause = `${lost}; reconnecting (last attempt: ${err.message})`;
      this.logger.warn({ err }, 'RabbitMQ connection attempt failed');
    });
    connection.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      this.logger.info({ attempt, delayMs: delay }, 'reconnecting to RabbitMQ'),
    );
    connection.on('reconnect-failed', (err: Error) => {
      this.cause = `gave up reconnecting to RabbitMQ: ${err.message}`;
      this.logger.error({ err }, 'gave up reconnecting to RabbitMQ');
    });
    // A broker short of memory or disk blocks publishers: refuse at once rather than hang until it recovers.
    connection.on('blocked', (reason: string) => {
      this.blocked = reason;
      this.logger.warn({ reason }, 'RabbitMQ blocked publishing');
    });
    connection.on('unblocked', () => {
      this.blocked = undefined;
      this.logger.info('RabbitMQ unblocked publishing');
    });
    try {
      await connection.waitForConnect();
    } catch (error) {
      this.closedFlag = true;
      await connection.close().catch(ignore);
      throw new QueueUnavailableError(`RabbitMQ at ${this.where} is not usable: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  /** Marks the queue closed: from now on no delivery is taken and no session is rebuilt. */
  markClosed(): void {
    this.closedFlag = true;
  }

  /** Lets publishes still waiting for their confirm get it, then closes the connection and its session. */
  async close(): Promise<void> {
    const session = this.current;
    if (session?.live) await session.publisher.waitForConfirms().catch(ignore);
    await this.connection?.close().catch(ignore);
    if (session) this.lose(session, 'closed');
  }

  availability(): QueueAvailability {
    if (this.closedFlag) return { available: false, cause: 'the RabbitMQ queue is closed' };
    if (!this.current?.live) return { available: false, cause: this.cause ?? 'not connected to RabbitMQ' };
    if (this.blocked !== undefined) {
      return { available: false, cause: `RabbitMQ blocked publishing: ${this.blocked}` };
    }
    return { available: true };
  }

  /** The live session, or a `QueueUnavailableError` saying why there is none. */
  connected(): ReadySession {
    if (this.closedFlag) throw new QueueUnavailableError('the RabbitMQ queue is closed');
    const session = this.current;
    if (!session?.live) throw this.unavailable();
    return session;
  }

  unavailable(): QueueUnavailableError {
    const { cause } = this.availability();
    return withoutStack(() => new QueueUnavailableError(`RabbitMQ is unavailable: ${cause ?? 'unknown'}`));
  }

  /** A channel whose loss, unless the whole connection went, rebuilds the session on a new connection. */
  async openChannel(session: Session, role: string, confirm: true): Promise<ConfirmChannel>;
  async openChannel(session: Session, role: string, confirm: false): Promise<Channel>;
  async openChannel(session: Session, role: string, confirm: boolean): Promise<Channel> {
    const channel = confirm
      ? await session.model.createConfirmChannel()
      : await session.model.createChannel();
    let failure: Error | undefined;
    channel.on('error', (err: Error) => {
      failure = err;
    });
    channel.on('close', () => {
      // When the connection goes, its channels close first and the connection in the same turn: wait a turn,
      // so that the connection's cause is the one reported.
      setImmediate(() => {
        if (!session.live || this.closedFlag) return;
        const detail = failure ? `: ${failure.message}` : '';
        this.fail(session, `RabbitMQ closed the ${role} channel${detail}`);
      });
    });
    return channel;
  }

  /** Gives up the session and closes its connection; amqplib's recovery then reconnects with backoff. */
  fail(session: Session, cause: string): void {
    this.lose(session, cause);
    session.model.close().catch(ignore);
  }

  /** Run by amqplib's recovery on every (re)connection, before it counts as connected. */
  private async setUp(model: ChannelModel): Promise<void> {
    if (this.closedFlag) throw new Error('closed');
    const base: Session = { id: ++sessions, model, live: true, returned: new Set() };
    // amqplib's recovery listens only once set-up succeeds; until then an error event must not go unheard.
    model.on('error', (err: Error) => this.logger.debug({ err }, 'RabbitMQ connection error'));
    model.once('close', (err?: Error) =>
      this.lose(base, err ? `lost the connection to RabbitMQ at ${this.where}: ${err.message}` : 'closed'),
    );
    try {
      const publisher = await this.openChannel(base, 'publisher', true);
      const admin = await this.openChannel(base, 'admin', false);
      const session: ReadySession = Object.assign(base, { publisher, admin });
      publisher.on('return', (returned: Message) =>
        session.returned.add(String(returned.properties.messageId)),
      );
      await this.hooks.prepare(session);
      this.current = session;
      this.cause = undefined;
      this.lossCause = undefined;
      this.blocked = undefined;
      await this.hooks.resume(session);
      this.logger.info({ session: session.id, at: this.where }, 'connected to RabbitMQ');
    } catch (error) {
      this.lose(base, `cannot set up RabbitMQ at ${this.where}: ${describe(error)}`);
      throw error;
    }
  }

  /**
   * The one teardown of a session, whether lost or closed: the broker takes back every unacked message on its
   * channels and delivers it again, so what the queue held of them is dropped (see `SessionHooks.lost`).
   */
  private lose(session: Session, cause: string): void {
    if (!session.live) return;
    session.live = false;
    if (this.current === session) this.current = undefined;
    if (!this.closedFlag) {
      this.cause = cause;
      this.lossCause = cause;
      this.logger.warn({ session: session.id, cause }, 'RabbitMQ session lost; reconnecting');
    }
    this.hooks.lost(session);
  }
}

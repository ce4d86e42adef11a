import { connect, type Socket } from 'node:net';
import { Fifo } from '../tps/kanban/Fifo.js';
import { Http1ResponseReader } from './Http1ResponseReader.js';
import type { PostDone, Transport, TransportOptions } from './transportContract.js';

interface Request {
  readonly payload: string;
  readonly postedAt: number;
  readonly done: PostDone;
}

/**
 * POSTs to one loopback origin over keep-alive HTTP/1.1 connections: at most one request in flight on each, the
 * rest waiting in order for the first connection that frees up, as a pool without pipelining does. A request
 * not answered within `timeoutMs` of being posted fails with `TIMEOUT`, and its connection is closed.
 *
 * Hand-written because the bench's generator must outrun the fastest target it measures, a bare `node:http`
 * server on a core of its own, with open-model load: a fixed schedule, whatever the answers. Through undici the
 * generator itself fell behind first. autocannon sends closed-loop (each connection's next request waits for
 * its last answer), which hides a stall instead of measuring it. This client does one socket write per request
 * and reads only the status and where each answer ends (`Http1ResponseReader`); an answer the reader does not
 * understand drops its connection.
 */
export class Http1Connections implements Transport {
  private readonly idle: Connection[] = [];
  private readonly waiting = new Fifo<Request>();
  private readonly all = new Set<Connection>();
  private readonly sweep: NodeJS.Timeout;
  private closed = false;
  private readonly head: string;

  constructor(
    private readonly origin: URL,
    path: string,
    private readonly options: TransportOptions,
  ) {
    const headers = Object.entries(options.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.head = `POST ${path} HTTP/1.1\r\nhost: ${origin.host}\r\n${headers}content-length: `;
    this.sweep = setInterval(() => this.failOverdue(), Math.min(250, options.timeoutMs / 4));
    this.sweep.unref();
  }

  post(body: string, done: PostDone): void {
    if (this.closed) {
      done(0, 'CLOSED');
      return;
    }
    const request: Request = {
      payload: `${this.head}${Buffer.byteLength(body)}\r\n\r\n${body}`,
      postedAt: performance.now(),
      done,
    };
    const connection = this.idle.pop() ?? this.open();
    if (connection) connection.send(request);
    else this.waiting.push(request);
  }

  /** Fails what is in flight or waiting with `CLOSED` and closes every connection. */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    for (let request = this.waiting.shift(); request; request = this.waiting.shift()) {
      request.done(0, 'CLOSED');
    }
    const closing = [...this.all].map((connection) => connection.destroy('CLOSED'));
    return Promise.all(closing).then(() => undefined);
  }

  /** A new connection while there are fewer than allowed, else none. */
  private open(): Connection | undefined {
    if (this.all.size >= this.options.connections) return undefined;
    const connection = new Connection(
      connect({
        // An IPv6 host comes bracketed in a URL ([::1]); the port is empty when it is the scheme's default.
        host: this.origin.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(this.origin.port || 80),
        noDelay: true,
      }),
      (free) => this.freed(free),
      (gone) => this.gone(gone),
    );
    this.all.add(connection);
    return connection;
  }

  private freed(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) connection.send(next);
    else this.idle.push(connection);
  }

  private gone(connection: Connection): void {
    this.all.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
    // Requests waiting for a connection get a new one in place of the one that went.
    const next = this.closed ? undefined : this.waiting.peek() && this.open();
    if (next) next.send(this.waiting.shift()!);
  }

  private failOverdue(): void {
    const now = performance.now();
    const limit = this.options.timeoutMs;
    for (const connection of this.all) connection.failIfOlderThan(now - limit);
    while ((this.waiting.peek()?.postedAt ?? now) < now - limit) {
      this.waiting.shift()!.done(0, 'TIMEOUT');
    }
  }
}

/** One socket, one request at a time. */
class Connection {
  private inFlight: Request | undefined;
  private readonly reader = new Http1ResponseReader((status, closeAfter) =>
    this.answered(status, closeAfter),
  );
  private dead = false;
  private readonly ended: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly onFree: (connection: Connection) => void,
    private readonly onGone: (connection: Connection) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      const failure = this.reader.read(chunk);
      if (failure) void this.destroy(failure);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? error.name));
    this.ended = new Promise((resolve) => socket.once('close', resolve));
    socket.once('close', () => this.fail('ECONNRESET'));
  }

  send(request: Request): void {
    this.inFlight = request;
    this.socket.write(request.payload);
  }

  failIfOlderThan(postedBefore: number): void {
    if (this.inFlight && this.inFlight.postedAt < postedBefore) void this.destroy('TIMEOUT');
  }

  destroy(failure: string): Promise<void> {
    this.fail(failure);
    this.socket.destroy();
    return this.ended;
  }

  private fail(failure: string): void {
    if (this.dead) return;
    this.dead = true;
    const request = this.inFlight;
    this.inFlight = undefined;
    request?.done(0, failure);
    this.onGone(this);
  }

  private answered(status: number, closeAfter: boolean): void {
    if (this.dead) return;
    const request = this.inFlight;
    if (!request) {
      void this.destroy('UNASKED_RESPONSE');
      return;
    }
    this.inFlight = undefined;
    request.done(status);
    if (closeAfter) void this.destroy('ECONNRESET');
    else this.onFree(this);
  }
}

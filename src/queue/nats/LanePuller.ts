import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';

export interface LanePullerOptions {
  /** The lane's durable pull consumer. */
  consumer: Consumer;
  /** How long one pull request may wait at the server before it is renewed (nats.js takes ≥ 1 000 ms). */
  expiresMs: number;
  /**
   * How long a message that arrived after its receiver gave up is kept for the next receiver. It is handed
   * out with a fresh lease (`working()`); after this it is given back through `release`.
   */
  holdMs: number;
  /** Gives back a held message nobody took (the adapter naks it, or dead-letters it on its last attempt). */
  release(msg: JsMsg): void;
  logger: Logger;
}

interface Pull {
  readonly requested: number;
  received: number;
}

interface Held {
  readonly msg: JsMsg;
  readonly until: number;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

/**
 * Hands the messages of one JetStream pull consumer to receivers, one message per receiver, pulling only what
 * waiting receivers ask for. Nothing is prefetched: a message is un-acked at the server (and counts against
 * `max_ack_pending`, the WIP limit) only once a receiver wants it, so the server's `num_pending` and
 * `num_ack_pending` stay the lane's true depth and in-flight count, and idle processes hoard nothing.
 *
 * Receivers that arrive in the same tick share one pull request (`fetch` of as many messages as there are
 * uncovered receivers). A pull request cannot be taken back: when a receiver gives up while its request is
 * still open, the message that later answers it is held for the next receiver rather than lost or nak'ed
 * (which would cost a delivery attempt).
 */
export class LanePuller {
  private readonly waiters: ((msg: JsMsg | undefined) => void)[] = [];
  private readonly held: Held[] = [];
  private readonly pulls = new Set<Pull>();
  private pumpScheduled = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LanePullerOptions) {}

  /** The next message, or undefined once `signal` aborts or the puller closes. */
  take(signal?: AbortSignal): Promise<JsMsg | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const held = this.takeHeld();
    if (held) return Promise.resolve(held);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(undefined);
      };
      const waiter = (msg: JsMsg | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(msg);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedulePump();
    });
  }

  /** Wakes every waiting receiver with undefined and gives back every held message. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.holdTimer);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    for (const { msg } of this.held.splice(0)) this.options.release(msg);
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Opens a pull request for the receivers no open request covers yet. */
  private pump(): void {
    if (this.closed || this.retryTimer) return;
    let covered = 0;
    for (const pull of this.pulls) covered += Math.max(0, pull.requested - pull.received);
    const uncovered = this.waiters.length - covered;
    if (uncovered > 0) void this.pull(uncovered);
  }

  private async pull(batch: number): Promise<void> {
    const pull: Pull = { requested: batch, received: 0 };
    this.pulls.add(pull);
    let failed = false;
    try {
      const messages = await this.options.consumer.fetch({
        max_messages: batch,
        expires: this.options.expiresMs,
      });
      for await (const msg of messages) {
        pull.received += 1;
        this.dispatch(msg);
      }
      this.failures = 0;
    } catch (error) {
      failed = !this.closed;
      if (failed) {
        this.failures += 1;
        this.options.logger.debug({ err: error, failures: this.failures }, 'pull request failed; retrying');
      }
    } finally {
      this.pulls.delete(pull);
    }
    if (failed) this.retryLater();
    else this.schedulePump();
  }

  private retryLater(): void {
    if (this.closed || this.retryTimer) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures - 1, 10));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }

  private dispatch(msg: JsMsg): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(msg);
      return;
    }
    if (this.closed) {
      this.options.release(msg);
      return;
    }
    this.held.push({ msg, until: Date.now() + this.options.holdMs });
    this.scheduleHoldExpiry();
  }

  private takeHeld(): JsMsg | undefined {
    this.releaseExpired();
    const held = this.held.shift();
    if (!held) return undefined;
    // The lease ran while it was held; the receiver gets a whole one.
    held.msg.working();
    this.scheduleHoldExpiry();
    return held.msg;
  }

  private releaseExpired(): void {
    const now = Date.now();
    while (this.held[0] && this.held[0].until <= now) {
      const expired = this.held.shift();
      if (expired) this.options.release(expired.msg);
    }
  }

  private scheduleHoldExpiry(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const next = this.held[0];
    if (!next || this.closed) return;
    this.holdTimer = setTimeout(
      () => {
        this.holdTimer = undefined;
        this.releaseExpired();
        this.scheduleHoldExpiry();
      },
      Math.max(1, next.until - Date.now()),
    );
    this.holdTimer.unref();
  }
}

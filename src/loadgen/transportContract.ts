/*
 * What every client of the load generator offers, apart from the clients themselves, so that each client
 * imports the contract and the chooser (transport.ts) imports the clients, and no two modules import each other.
 */

/** How a request ended: an HTTP status, or 0 and the kind of failure the load report counts (`TIMEOUT`, …). */
export type PostDone = (status: number, failure?: string) => void;

export interface Transport {
  /** POSTs `body`; `done` is called once, with the status or with why there is none. */
  post(body: string, done: PostDone): void;
  /** Fails whatever is still unanswered, and closes the connections. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Keep-alive connections, each with at most one request in flight. */
  connections: number;
  /** A request not answered this long after it was posted fails. */
  timeoutMs: number;
  headers: Readonly<Record<string, string>>;
}

import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Gets each request with its whole body read, and answers it (or not). */
export type BodyHandler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

export interface BodyServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Connections opened to it so far. */
  connections(): number;
  /** Drops its open connections and stops listening. */
  stop(): Promise<void>;
}

/** A `node:http` server on a free loopback port, for tests of HTTP clients: the load generator's. */
export async function serveBodies(handler: BodyHandler): Promise<BodyServer> {
  const sockets = new Set<Socket>();
  let opened = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks).toString(), response));
  });
  server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => opened,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise((resolve) => server.close(resolve));
    },
  };
}

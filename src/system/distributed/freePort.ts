import { once } from 'node:events';
import { createServer } from 'node:net';

/** Listens on `port` on loopback (0: any free one), closes again, and answers the port it got. */
export async function listenAndClose(port = 0): Promise<number> {
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: taken } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return taken;
}

/** A port the OS says is free now. */
export const freePort = (): Promise<number> => listenAndClose(0);

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

/**
 * Where `freePort` looks. The kernel hands out the ports of `listen(0)` and of outgoing connections from
 * net.ipv4.ip_local_port_range (32768–60999 on Linux, 49152–65535 on macOS and Windows). A port taken from there
 * and bound only later, by another process, can meanwhile go to any server or connection that asked for port 0.
 * Below that range only an explicit bind takes a port. These bounds also stay clear of the usual local
 * services (RabbitMQ's 15672 and 25672 among them).
 */
export const PICKED_PORTS = { from: 16_000, to: 25_000 } as const;

/**
 * A free port on loopback for a process that binds it later (and, with `span`, the next span − 1 ports free too):
 * picked at random below the kernel's own range, so only an explicit bind of the same port can take it first.
 */
export async function freePort(span = 1, random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = PICKED_PORTS.from + Math.floor(random() * (PICKED_PORTS.to - PICKED_PORTS.from - span));
    if (await allFree(base, span)) return base;
  }
  throw new Error(`no ${span} consecutive free port(s) found in ${PICKED_PORTS.from}–${PICKED_PORTS.to}`);
}

async function allFree(base: number, span: number): Promise<boolean> {
  for (let port = base; port < base + span; port++) {
    const taken = await listenAndClose(port).catch(() => undefined);
    if (taken !== port) return false;
  }
  return true;
}

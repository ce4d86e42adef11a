import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';
import { waitFor } from './waitFor.js';

/** Debian installs nats-server outside a user's PATH. */
export const NATS_SERVER = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

export interface ClusterNode {
  /** Its server_name, as JetStream names a stream's leader (`cluster.leader`). */
  name: string;
  url: string;
  monitorUrl: string;
  running(): boolean;
  /** SIGKILL: the server dies as in a power cut, without lame-duck mode or a goodbye to its routes. */
  kill(): Promise<void>;
}

export interface NatsCluster {
  nodes: ClusterNode[];
  /** Every client URL, comma-separated, as NATS_URL takes them. */
  natsUrl: string;
  node(name: string): ClusterNode;
  /** The JetStream meta leader's server_name once the servers have elected one. */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
  destroy(): Promise<void>;
}

const portsPerNode = 3; // client, cluster route, monitoring

/**
 * A JetStream cluster of `size` nats-servers on loopback: free ports, a store directory each under one temp
 * directory, routes from every server to every other, and one config file per server.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tps-nats-cluster-'));
  const base = await freePort(size * portsPerNode);
  const specs = Array.from({ length: size }, (_, index) => ({
    name: `n${index + 1}`,
    client: base + index * portsPerNode,
    route: base + index * portsPerNode + 1,
    monitor: base + index * portsPerNode + 2,
  }));
  const routes = specs.map((spec) => `nats://127.0.0.1:${spec.route}`);
  const children: ChildProcess[] = [];
  const nodes: ClusterNode[] = [];
  try {
    for (const spec of specs) {
      const store = join(dir, spec.name);
      await mkdir(store);
      const configFile = join(dir, `${spec.name}.conf`);
      await writeFile(
        configFile,
        [
          `server_name: ${spec.name}`,
          `listen: 127.0.0.1:${spec.client}`,
          `http: 127.0.0.1:${spec.monitor}`,
          `jetstream { store_dir: ${JSON.stringify(store)} }`,
          'cluster {',
          '  name: tps-test',
          `  listen: 127.0.0.1:${spec.route}`,
          `  routes: [${routes.join(', ')}]`,
          '}',
          '',
        ].join('\n'),
      );
      const child = spawn(NATS_SERVER, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
      children.push(child);
      const exited = once(child, 'exit');
      const running = () => child.exitCode === null && child.signalCode === null;
      nodes.push({
        name: spec.name,
        url: `nats://127.0.0.1:${spec.client}`,
        monitorUrl: `http://127.0.0.1:${spec.monitor}`,
        running,
        kill: async () => {
          if (!running()) return;
          child.kill('SIGKILL');
          await exited;
        },
      });
      child.once('exit', (code, signal) => {
        if (signal !== 'SIGKILL' && signal !== 'SIGTERM')
          console.error(`${spec.name} exited (${code}):\n${log}`);
      });
    }
    const cluster: NatsCluster = {
      nodes,
      natsUrl: nodes.map((node) => node.url).join(','),
      node: (name) => {
        const found = nodes.find((node) => node.name === name);
        if (!found)
          throw new Error(`no server ${name} in the cluster (${nodes.map((n) => n.name).join(', ')})`);
        return found;
      },
      waitForMetaLeader: (timeoutMs = 20_000) =>
        waitFor(
          async () => {
            for (const node of nodes.filter((n) => n.running())) {
              const jsz = (await (await fetch(`${node.monitorUrl}/jsz`)).json()) as {
                meta_cluster?: { leader?: string; cluster_size?: number };
              };
              const meta = jsz.meta_cluster;
              if (meta?.leader && meta.cluster_size === size) return meta.leader;
            }
            return undefined;
          },
          { timeoutMs, intervalMs: 100, message: `a JetStream meta leader among ${size} servers` },
        ),
      destroy: async () => {
        await Promise.all(nodes.map((node) => node.kill()));
        await rm(dir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (error) {
    for (const child of children) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

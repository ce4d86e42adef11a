/**
 * The image, really built and run, without a Docker engine: scripts/image.sh builds the Dockerfile with buildah
 * (on a local stand-in of the base image, since no registry for base images answers here), then the image's
 * own CMD runs in a buildah container (chroot isolation, which shares this machine's network) on a free PORT.
 * Slow the first time (debootstrap for the base, `npm ci` twice): it prints each step.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/processes.js';
import { skipWithout } from '../support/services.js';
import { waitFor } from '../support/waitFor.js';
import { REPO } from './support.js';

/** debootstrap (for the stand-in base) and buildah's chroot isolation need root; CI runs as root. */
const notRoot = process.getuid?.() !== 0 && process.env.CI !== 'true' && 'building the image here needs root';
const skip = skipWithout('buildah', 'buildah') || skipWithout('debootstrap', 'debootstrap') || notRoot;
const TAG = `localhost/tps-image-test:${randomUUID().slice(0, 8)}`;
const progress = (line: string): void => void process.stderr.write(`image test: ${line}\n`);

/** A command run to its end: its stdout, or an error with its stderr. */
function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: REPO });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.error}`);
  return result.stdout.trim();
}

/** Exit code of a command whose output is shown line by line as progress; the last lines are kept for failures. */
async function runShown(command: string, args: string[], tail: string[]): Promise<number | null> {
  const env = { ...process.env, TPS_IMAGE_BUILDER: 'buildah' }; // the image must land in buildah's store
  const child = spawn(command, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  const show = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      progress(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  };
  child.stdout.on('data', show);
  child.stderr.on('data', show);
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

interface ImageConfig {
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  User: string;
  Healthcheck?: { Test: string[] };
}

/**
 * The pid of the process listening on TCP `port`, from /proc (the listening socket's inode, then the process
 * holding it): that is the process answering /health, whatever buildah put between it and this test.
 */
function listenerPid(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // cols[1] local address:port, cols[3] state (0A: LISTEN), cols[9] inode
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A' && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (fds.some((fd) => inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`)))) return Number(pid);
    } catch {
      // a process that ended while we looked, or a fd that closed
    }
  }
  return undefined;
}

const uidsOf = (pid: number): string[] =>
  /^Uid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]?.split(/\s+/) ?? [];

describe('the image (built with buildah from the Dockerfile, run as its CMD)', { skip }, () => {
  const containers: string[] = [];
  const buildTail: string[] = [];
  let built: number | null = null;
  let config: ImageConfig;
  let server: ChildProcess | undefined;
  let serverOutput = '';
  let port = 0;

  const container = (): string => {
    const name = run('buildah', ['from', '--pull=never', '--name', `tps-image-test-${randomUUID()}`, TAG]);
    containers.push(name);
    return name;
  };

  before(async () => {
    progress(`building ${TAG} with scripts/image.sh build`);
    built = await runShown('scripts/image.sh', ['build', TAG], buildTail);
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const pid = listenerPid(port);
      progress(`stopping the CMD (pid ${pid ?? '?'})`);
      if (pid) process.kill(pid, 'SIGTERM');
      else server.kill('SIGTERM');
      const gone = (): boolean => server?.exitCode !== null || server.signalCode !== null;
      await waitFor(gone, { timeoutMs: 15_000, intervalMs: 100 }).catch(() => server?.kill('SIGKILL'));
    }
    for (const name of containers) spawnSync('buildah', ['rm', name], { stdio: 'ignore' });
    if (built === 0) spawnSync('buildah', ['rmi', TAG], { stdio: 'ignore' });
  });

  it('builds', () => {
    assert.equal(built, 0, `scripts/image.sh build failed; its last lines:\n${buildTail.join('\n')}`);
    const inspected = JSON.parse(run('buildah', ['inspect', '--type', 'image', TAG])) as {
      Docker: { config: ImageConfig };
    };
    config = inspected.Docker.config;
    assert.ok(config.Cmd?.length, 'the image has a CMD');
    assert.ok(config.Healthcheck?.Test.length, 'the image has a HEALTHCHECK');
  });

  it('runs its CMD, which answers /health, as uid 1000', async () => {
    assert.equal(built, 0, 'the image was not built');
    port = await freePort();
    const command = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    progress(`running the CMD (${command.join(' ')}) with PORT=${port}`);
    server = spawn(
      'buildah',
      ['run', '--isolation=chroot', '--env', `PORT=${port}`, container(), '--', ...command],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    server.stdout?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    const health = await waitFor(
      async () => {
        if (server?.exitCode !== null) throw new Error(`the CMD exited ${server?.exitCode}: ${serverOutput}`);
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        return response.ok && ((await response.json()) as { status?: string });
      },
      { timeoutMs: 60_000, intervalMs: 250, message: `/health on ${port}` },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nits output: ${serverOutput}`);
    });
    progress(`/health answered ${JSON.stringify(health)}`);
    const pid = listenerPid(port);
    assert.ok(pid, `no process listens on ${port}`);
    const [program = '', ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    assert.deepEqual([basename(program), ...args], command, 'the process answering is the CMD');
    assert.deepEqual(uidsOf(pid), ['1000', '1000', '1000', '1000'], 'real, effective, saved and fs uid');
  });

  it('passes its HEALTHCHECK while the CMD runs, and fails it where nothing answers', async () => {
    assert.ok(port && server?.exitCode === null, 'the CMD is not running');
    const [form, ...check] = config.Healthcheck?.Test ?? [];
    assert.equal(form, 'CMD', 'HEALTHCHECK CMD ["…"] (exec form, no shell needed in the image)');
    const probe = (onPort: number): number | null => {
      progress(`HEALTHCHECK with PORT=${onPort}`);
      const args = ['run', '--isolation=chroot', '--env', `PORT=${onPort}`, container(), '--', ...check];
      return spawnSync('buildah', args, { stdio: 'ignore' }).status;
    };
    assert.equal(probe(port), 0);
    assert.notEqual(probe(await freePort()), 0);
  });
});

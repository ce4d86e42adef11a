/**
 * docker-compose.yml at the repository root and the configs it mounts. `docker compose config` would be the
 * ideal syntax check, but there is no Docker engine (nor Debian's docker-compose) here: this test validates the
 * file against the Compose Specification's JSON schema (vendored in schemas/, with ajv), then checks what the
 * schema cannot: the guide's container names, every variable given to a TPS role is a setting that loadConfig
 * accepts, each role allows the Host names it is reached by, images are pinned, ports do not clash, and
 * Prometheus scrapes the ports the roles listen on.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import {
  asEnv,
  DEPLOY,
  REPO,
  isRecord,
  list,
  loadFrom,
  readText,
  record,
  text,
  unknownNames,
  type Doc,
} from './support.js';

const COMPOSE_FILE = join(REPO, 'docker-compose.yml');
const compose = record(parse(readText(COMPOSE_FILE), { merge: true }), 'compose file');
const services = record(compose.services, 'services');
const service = (name: string): Doc => record(services[name], `service ${name}`);

const TPS_ROLES: Record<string, string[]> = {
  api: ['api'],
  'worker-fast': ['worker', '--pool', 'fast'],
  'worker-slow': ['worker', '--pool', 'slow'],
  downstream: ['downstream'],
};
const REQUIRED = [
  ...Object.keys(TPS_ROLES),
  'nats',
  'rabbitmq',
  'postgres',
  'prometheus',
  'grafana',
  'jaeger',
  'loki',
  'promtail',
];

/** Compose's variable interpolation with an empty shell environment: `${X:-d}` and `${X-d}` give d, `$$` is `$`. */
const interpolate = (value: string): string =>
  value
    .replace(
      /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?]([^}]*))?\}/g,
      (_m, fallback: string | undefined) => fallback ?? '',
    )
    .replace(/\$\$/g, '$');

function environmentOf(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  const entries = Array.isArray(env)
    ? Object.fromEntries(
        env.map((item) => {
          const [key = '', ...rest] = String(item).split('=');
          return [key, rest.join('=')];
        }),
      )
    : record(env, `${name}.environment`);
  return Object.fromEntries(Object.entries(asEnv(entries)).map(([k, v]) => [k, interpolate(v)]));
}

interface PortMapping {
  host?: string;
  container: string;
}
/** Short syntax `[ip:]host:container[/proto]`, a container port alone, or the long syntax. Ranges expand. */
function portsOf(name: string): PortMapping[] {
  const ports = service(name).ports;
  if (ports === undefined) return [];
  return list(ports, `${name}.ports`).flatMap((port): PortMapping[] => {
    if (isRecord(port)) {
      return [
        {
          host: port.published === undefined ? undefined : text(port.published),
          container: text(port.target),
        },
      ];
    }
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const container = parts.at(-1)!;
    const host = parts.length >= 2 ? parts.at(-2) : undefined;
    const expand = (text: string | undefined): string[] => {
      if (text === undefined) return [];
      const [from, to] = text.split('-').map(Number);
      if (to === undefined) return [text];
      return Array.from({ length: to - from! + 1 }, (_v, i) => String(from! + i));
    };
    const containers = expand(container);
    const hosts = expand(host);
    return containers.map((c, i) => ({ host: hosts[i], container: c }));
  });
}

/** The Compose Specification's schema (draft-07; its `$schema` URL is one ajv does not know, so it is dropped). */
function composeSchemaValidator() {
  const { $schema: _draft, ...schema } = JSON.parse(
    readText(join(REPO, 'test/deploy/schemas/compose-spec.json')),
  ) as Doc;
  // strict: false because the schema uses annotation keywords draft-07 does not define (deprecated).
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

describe('docker-compose.yml', () => {
  it('is valid by the Compose Specification schema', () => {
    const validate = composeSchemaValidator();
    const valid = validate(compose);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    // The validator does reject a broken file: a misspelt key and a wrong type both fail.
    const broken = structuredClone(compose);
    record(record(broken.services, 'services').api, 'api').restrat = 'always';
    assert.equal(validate(broken), false);
    const wrongType = structuredClone(compose);
    record(record(wrongType.services, 'services').api, 'api').ports = 8080;
    assert.equal(validate(wrongType), false);
  });

  it("names each container after its service, so the guide's `docker logs api` works", () => {
    for (const [name, value] of Object.entries(services))
      assert.equal(record(value, name).container_name, name, `${name}.container_name`);
  });

  it('has every service the issue names, with a pinned image', () => {
    for (const name of REQUIRED) assert.ok(isRecord(services[name]), `service ${name} is missing`);
    for (const [name, value] of Object.entries(services)) {
      const image = record(value, name).image;
      assert.equal(typeof image, 'string', `${name} has an image`);
      const lastPart = (image as string).split('/').at(-1)!;
      const tag = lastPart.includes(':') ? lastPart.split(':').at(-1) : undefined;
      assert.ok(tag && tag !== 'latest', `${name}: image ${String(image)} is not pinned to a tag`);
      assert.ok(!(image as string).includes('${'), `${name}: image is not interpolated`);
    }
  });

  it('runs the four TPS roles from the one image built from the repository Dockerfile', () => {
    const images = new Set<unknown>();
    for (const [name, args] of Object.entries(TPS_ROLES)) {
      const s = service(name);
      images.add(s.image);
      assert.deepEqual(s.command, ['node', 'bin/tps.js', ...args], `${name}.command`);
      const build = record(s.build, `${name}.build`);
      assert.ok(existsSync(join(resolve(REPO, text(build.context)), text(build.dockerfile ?? 'Dockerfile'))));
    }
    assert.equal(images.size, 1);
  });

  it('gives every service a health check and a restart policy', () => {
    for (const [name, value] of Object.entries(services)) {
      const s = record(value, name);
      const health = record(s.healthcheck, `${name}.healthcheck`);
      assert.notEqual(health.disable, true, `${name}: health check disabled`);
      const test = list(health.test, `${name}.healthcheck.test`);
      assert.ok(['CMD', 'CMD-SHELL'].includes(String(test[0])), `${name}: healthcheck.test starts with CMD`);
      assert.ok(['unless-stopped', 'always', 'on-failure'].includes(String(s.restart)), `${name}.restart`);
    }
  });

  it('probes each TPS role on the port it listens on', () => {
    const test = (name: string) => list(record(service(name).healthcheck, name).test, name).join(' ');
    assert.match(test('api'), /process\.env\.PORT \|\| 8080\) \+ '\/health'/);
    assert.match(test('worker-fast'), /process\.env\.WORKER_PORT \|\| 8081\) \+ '\/health'/);
    assert.match(test('worker-slow'), /process\.env\.WORKER_PORT \|\| 8081\) \+ '\/health'/);
    assert.match(test('downstream'), /DOWNSTREAM_PORT/);
  });

  it('lets depends_on name only defined services, with valid conditions, healthy ones only with a health check', () => {
    const conditions = ['service_started', 'service_healthy', 'service_completed_successfully'];
    for (const [name, value] of Object.entries(services)) {
      const deps = record(value, name).depends_on;
      if (deps === undefined) continue;
      const entries: [string, unknown][] = Array.isArray(deps)
        ? deps.map((d) => [String(d), { condition: 'service_started' }])
        : Object.entries(record(deps, `${name}.depends_on`));
      for (const [dep, spec] of entries) {
        assert.ok(dep !== name && isRecord(services[dep]), `${name} depends on unknown service ${dep}`);
        const condition = String(record(spec, `${name}.depends_on.${dep}`).condition);
        assert.ok(conditions.includes(condition), `${name} → ${dep}: condition ${condition}`);
        if (condition === 'service_healthy')
          assert.ok(isRecord(service(dep).healthcheck), `${dep} has no health check`);
      }
    }
    // Where it matters: the roles wait for the brokers and the database, the workers for service C.
    for (const role of ['api', 'worker-fast', 'worker-slow']) {
      const deps = record(service(role).depends_on, role);
      for (const dep of ['nats', 'rabbitmq', 'postgres', 'downstream'])
        assert.equal(record(deps[dep], `${role} → ${dep}`).condition, 'service_healthy', `${role} → ${dep}`);
    }
  });

  it("matches docs/deployment.md's table: every service with the host ports it publishes", () => {
    const rows = readText(join(REPO, 'docs/deployment.md'))
      .split('\n')
      .map((line) => /^\| `([a-z-]+)` +\| ([^|]+)\|/.exec(line))
      .filter((match) => match !== null && isRecord(services[match[1]!]));
    const documented = new Map(
      rows.map((match) => [
        match![1]!,
        // The host ports are the numbers not inside parentheses: "8082 (container 8081)" is 8082.
        [...match![2]!.replace(/\([^)]*\)/g, '').matchAll(/\d{4,5}/g)].map((m) => m[0]).sort(),
      ]),
    );
    assert.deepEqual([...documented.keys()].sort(), Object.keys(services).sort());
    for (const name of Object.keys(services)) {
      const published = portsOf(name)
        .flatMap((p) => (p.host === undefined ? [] : [p.host]))
        .sort();
      assert.deepEqual(documented.get(name), published, `${name}: docs/deployment.md lists its ports`);
    }
  });

  it('publishes no host port twice', () => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(services)) {
      for (const { host } of portsOf(name)) {
        if (host === undefined) continue;
        assert.ok(!seen.has(host), `host port ${host}: ${seen.get(host)} and ${name}`);
        seen.set(host, name);
      }
    }
    assert.ok(seen.size > 0);
  });

  it('gives the TPS roles only settings of the system, and values loadConfig accepts', () => {
    for (const name of Object.keys(TPS_ROLES)) {
      const env = environmentOf(name);
      assert.deepEqual(unknownNames(env), [], `${name}: variables that are not in SETTINGS`);
      assert.doesNotThrow(() => loadFrom(env), `${name}: loadConfig rejects its environment`);
    }
  });

  it('points the roles at the compose services and listens on all interfaces', () => {
    for (const name of ['api', 'worker-fast', 'worker-slow']) {
      const config = loadFrom(environmentOf(name));
      assert.notEqual(config.queueBackend, 'memory', `${name} needs a broker`);
      assert.ok(config.databaseUrl !== '', `${name} needs DATABASE_URL`);
      for (const url of [config.natsUrl, config.amqpUrl, config.databaseUrl]) {
        const host = new URL(url).hostname;
        assert.ok(isRecord(services[host]), `${name}: ${url} names no service`);
      }
      assert.ok(isRecord(services[config.downstreamHost]), `${name}: DOWNSTREAM_HOST`);
      assert.equal(config.downstreamPort, loadFrom(environmentOf('downstream')).downstreamPort);
    }
    for (const name of Object.keys(TPS_ROLES))
      assert.equal(loadFrom(environmentOf(name)).host, '0.0.0.0', name);
    // A password in DATABASE_URL must be the one postgres is given.
    const password = new URL(loadFrom(environmentOf('api')).databaseUrl).password;
    const pg = asEnv(record(service('postgres').environment, 'postgres.environment'));
    assert.ok(pg.POSTGRES_HOST_AUTH_METHOD === 'trust' || pg.POSTGRES_PASSWORD === password);
  });

  it('lets each role be reached by the Host names the others use (ALLOWED_HOSTS), one stream replica (NATS_REPLICAS)', () => {
    const allowed = (name: string) =>
      (environmentOf(name).ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim());
    // Who calls whom: Prometheus scrapes every role by its service name, the workers read the API's andon cords
    // (API_URL) and call downstream (DOWNSTREAM_HOST).
    const prometheus = record(parse(readText(join(REPO, 'prometheus.yml'))), 'prometheus.yml');
    const reachedAs = list(prometheus.scrape_configs, 'scrape_configs')
      .flatMap((job) => list(record(job, 'job').static_configs, 'static_configs'))
      .flatMap((group) => list(record(group, 'static').targets, 'targets'))
      .map((target) => String(target).split(':')[0]!)
      .filter((host) => host in TPS_ROLES);
    for (const worker of ['worker-fast', 'worker-slow']) {
      const config = loadFrom(environmentOf(worker));
      reachedAs.push(new URL(config.apiUrl).hostname, config.downstreamHost);
    }
    assert.deepEqual([...new Set(reachedAs)].sort(), Object.keys(TPS_ROLES).sort());
    for (const host of reachedAs)
      assert.ok(allowed(host).includes(host), `${host}: ALLOWED_HOSTS lacks ${host}`);
    for (const name of Object.keys(TPS_ROLES))
      assert.ok(
        allowed(name).every((h) => h !== ''),
        name,
      );
    for (const name of ['api', 'worker-fast', 'worker-slow'])
      assert.equal(environmentOf(name).NATS_REPLICAS, '1', `${name}: one NATS server, one replica`);
  });

  it('publishes each role on the port its settings choose', () => {
    const containerPorts = (name: string) => portsOf(name).map((p) => p.container);
    assert.ok(containerPorts('api').includes(String(loadFrom(environmentOf('api')).port)));
    for (const name of ['worker-fast', 'worker-slow'])
      assert.ok(containerPorts(name).includes(String(loadFrom(environmentOf(name)).workerPort)), name);
    const first = loadFrom(environmentOf('downstream')).downstreamPort;
    for (const port of [first, first + 1, first + 2])
      assert.ok(containerPorts('downstream').includes(String(port)));
  });

  it('mounts the config files the user guide names from the project folder', () => {
    const mounts = (name: string) => list(service(name).volumes, `${name}.volumes`).map((v) => String(v));
    for (const [name, file] of [
      ['prometheus', 'prometheus.yml'],
      ['promtail', 'promtail-config.yml'],
      ['loki', 'loki-config.yml'],
    ] as const) {
      assert.ok(existsSync(join(REPO, file)), `${file} at the root`);
      const mount = mounts(name).find((v) => v.startsWith(`./${file}:`));
      assert.ok(mount, `${name} mounts ./${file}`);
      const target = mount.split(':')[1]!;
      assert.ok(
        list(service(name).command, `${name}.command`).some((a) => String(a).endsWith(target)),
        name,
      );
    }
    // prometheus.yml's rule files resolve relative to it, at the root and in the container alike.
    const rules = list(record(parse(readText(join(REPO, 'prometheus.yml'))), 'p').rule_files, 'rule_files');
    for (const pattern of rules.map(String)) {
      const dir = pattern.slice(0, pattern.lastIndexOf('/'));
      assert.ok(existsSync(join(REPO, dir)), `${dir} exists`);
      assert.ok(mounts('prometheus').includes(`./${dir}:/etc/prometheus/${dir}:ro`), `${dir} is mounted`);
    }
  });

  it('runs NATS with JetStream on a named volume, and mounts config files that exist', () => {
    const nats = service('nats');
    assert.ok(list(nats.command, 'nats.command').some((a) => a === '--jetstream' || a === '-js'));
    const volumes = record(compose.volumes, 'volumes');
    for (const [name, value] of Object.entries(services)) {
      for (const volume of (record(value, name).volumes as unknown[] | undefined) ?? []) {
        const source = String(volume).split(':')[0]!;
        if (source.startsWith('./'))
          assert.ok(existsSync(resolve(REPO, source)), `${name}: ${source} is missing`);
        else if (!source.startsWith('/'))
          assert.ok(source in volumes, `${name}: volume ${source} is not declared`);
      }
    }
    assert.ok(list(nats.volumes, 'nats.volumes').some((v) => String(v).startsWith('nats-data:')));
  });

  it('has Prometheus scrape the api, both workers and downstream on the ports they serve /metrics on', () => {
    const prometheus = record(parse(readText(join(REPO, 'prometheus.yml'))), 'prometheus.yml');
    const targets = list(prometheus.scrape_configs, 'scrape_configs').flatMap((job) => {
      const j = record(job, 'job');
      assert.ok(j.metrics_path === undefined || j.metrics_path === '/metrics');
      return list(j.static_configs, 'static_configs').flatMap((c) =>
        list(record(c, 'static').targets, 'targets'),
      );
    });
    const scraped = new Map(targets.map((t) => String(t).split(':') as [string, string]));
    const expected = {
      api: String(loadFrom(environmentOf('api')).port),
      'worker-fast': String(loadFrom(environmentOf('worker-fast')).workerPort),
      'worker-slow': String(loadFrom(environmentOf('worker-slow')).workerPort),
      // One registry for services A, B and C, served on service A's port.
      downstream: String(loadFrom(environmentOf('downstream')).downstreamPort),
    };
    for (const [name, port] of Object.entries(expected))
      assert.equal(scraped.get(name), port, `target ${name}`);
    for (const [host] of scraped)
      assert.ok(host === 'localhost' || isRecord(services[host]), `scrape target ${host} is no service`);
  });

  it('provisions Grafana with Prometheus, Jaeger and Loki, and links log lines to traces', () => {
    const grafana = record(service('grafana').environment, 'grafana.environment');
    assert.equal(grafana.GF_SECURITY_ADMIN_USER, 'admin');
    assert.equal(grafana.GF_SECURITY_ADMIN_PASSWORD, 'admin');
    const file: unknown = parse(readText(join(DEPLOY, 'grafana/provisioning/datasources/datasources.yml')));
    const sources = list(record(file, 'datasources.yml').datasources, 'datasources').map((d) =>
      record(d, 'datasource'),
    );
    assert.deepEqual(sources.map((d) => d.type).sort(), ['jaeger', 'loki', 'prometheus']);
    const uids = new Set(sources.map((d) => d.uid));
    for (const d of sources) {
      const host = new URL(String(d.url)).hostname;
      assert.ok(isRecord(services[host]), `${String(d.name)} → ${host}`);
    }
    const loki = sources.find((d) => d.type === 'loki')!;
    const derived = list(record(loki.jsonData, 'loki.jsonData').derivedFields, 'derivedFields').map((f) =>
      record(f, 'f'),
    );
    assert.ok(derived.some((f) => uids.has(f.datasourceUid) && String(f.matcherRegex).includes('trace_id')));
    const dashboards: unknown = parse(
      readText(join(DEPLOY, 'grafana/provisioning/dashboards/dashboards.yml')),
    );
    // The provider reads the folder that ./dashboards is mounted on, and picks up what a user saves there.
    const [provider, ...others] = list(record(dashboards, 'dashboards.yml').providers, 'providers');
    assert.equal(others.length, 0);
    const p = record(provider, 'provider');
    assert.equal(p.type, 'file');
    assert.equal(p.allowUiUpdates, true);
    assert.ok(Number(p.updateIntervalSeconds) > 0 && Number(p.updateIntervalSeconds) <= 60);
    const mounted = list(service('grafana').volumes, 'grafana.volumes').map((v) => String(v).split(':'));
    const folder = String(record(p.options, 'provider.options').path);
    assert.ok(
      mounted.some(([source, target]) => source === './dashboards' && target === folder),
      `./dashboards is mounted at ${folder}`,
    );
  });

  it('ships logs to Loki with the labels service, pool and level', () => {
    const promtail = record(parse(readText(join(REPO, 'promtail-config.yml'))), 'promtail-config.yml');
    const job = record(list(promtail.scrape_configs, 'scrape_configs')[0], 'job');
    const targets = list(job.relabel_configs, 'relabel').map((r) => record(r, 'relabel').target_label);
    assert.ok(targets.includes('service') && targets.includes('pool'));
    const stages = list(job.pipeline_stages, 'pipeline_stages').map((s) => record(s, 'stage'));
    assert.ok(stages.some((s) => isRecord(s.labels) && 'level' in s.labels));
    assert.ok(
      !stages.some((s) => isRecord(s.labels) && 'trace_id' in s.labels),
      'trace_id must not be a label',
    );
    assert.ok(
      stages.some((s) => isRecord(s.structured_metadata) && 'trace_id' in s.structured_metadata),
      'trace_id is kept as a field (structured metadata)',
    );
    const clients = list(promtail.clients, 'clients').map(
      (c) => new URL(String(record(c, 'client').url)).hostname,
    );
    assert.deepEqual(clients, ['loki']);
    // The compose project name is what promtail filters containers on.
    assert.ok(
      JSON.stringify(job.docker_sd_configs).includes(`com.docker.compose.project=${String(compose.name)}`),
    );
    assert.ok(isRecord(parse(readText(join(REPO, 'loki-config.yml')))));
  });
});

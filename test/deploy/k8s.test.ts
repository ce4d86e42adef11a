/**
 * deploy/k8s/: every manifest parsed (multi-document YAML) and each built-in kind validated against the
 * Kubernetes OpenAPI schema with `kubernetes-models` (which checks types, required fields and enums, but lets
 * unknown fields through; `kubectl apply --dry-run=server` or kubeconform would catch those, and need a cluster
 * or a download). KEDA's ScaledObject is a CRD the package does not know: its fields are checked by hand.
 * Then the cross-references: environment names and values against SETTINGS and loadConfig, Services and PDBs
 * against pod labels and ports, ScaledObjects against the Deployments and the JetStream topology's names.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import type { LaneName } from '../../src/domain/signal.js';
import { SETTINGS } from '../../src/config/index.js';
import { jetStreamNames } from '../../src/queue/nats/jetStreamTopology.js';
import {
  asEnv,
  DEPLOY,
  isRecord,
  list,
  loadFrom,
  readText,
  record,
  text,
  unknownNames,
  type Doc,
} from './support.js';

const DIR = join(DEPLOY, 'k8s');
const FILES = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

interface Manifest {
  file: string;
  doc: Doc;
  kind: string;
  name: string;
}
const manifests: Manifest[] = FILES.flatMap((file) =>
  parseAllDocuments(readText(join(DIR, file))).flatMap((document) => {
    assert.deepEqual(document.errors, [], `${file}: YAML errors`);
    const value: unknown = document.toJS();
    if (value == null) return [];
    const doc = record(value, file);
    return [
      { file, doc, kind: String(doc.kind), name: String(record(doc.metadata, `${file} metadata`).name) },
    ];
  }),
);
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string): Doc => {
  const found = ofKind(kind).find((m) => m.name === name);
  assert.ok(found, `no ${kind} ${name}`);
  return found.doc;
};

/** The model class of each built-in kind, keyed by apiVersion/kind. */
type Validatable = { validate(): void };
const MODELS: Record<string, (doc: Doc) => Validatable> = {
  'v1/Namespace': (d) => new Namespace(d),
  'v1/ConfigMap': (d) => new ConfigMap(d),
  'v1/Secret': (d) => new Secret(d),
  'v1/Service': (d) => new Service(d),
  'apps/v1/Deployment': (d) => new Deployment(d),
  'apps/v1/StatefulSet': (d) => new StatefulSet(d),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d),
};

const spec = (doc: Doc, what: string) => record(doc.spec, `${what}.spec`);
const podSpec = (doc: Doc, what: string) =>
  record(record(spec(doc, what).template, `${what} template`).spec, what);
const podLabels = (doc: Doc, what: string) =>
  record(record(record(spec(doc, what).template, what).metadata, what).labels, `${what} pod labels`);
const containers = (doc: Doc, what: string) =>
  list(podSpec(doc, what).containers, what).map((c) => record(c, what));

const TPS_IMAGE = /^tps-reference-system:/;
const ROLES: Record<string, string[]> = {
  api: ['api'],
  'worker-fast': ['worker', '--pool', 'fast'],
  'worker-slow': ['worker', '--pool', 'slow'],
  downstream: ['downstream'],
};

/** What the test puts where Kubernetes would put a pod's own field (the downward API). */
const FIELD_VALUES: Record<string, string> = { 'status.podIP': '10.1.2.3' };

/**
 * The environment a TPS container sees: envFrom ConfigMaps and Secrets of the manifests, then env, with
 * Kubernetes' `$(NAME)` references expanded. A variable from a pod field (POD_IP) only feeds such references:
 * it is left out of what is returned unless it is a setting.
 */
function environmentOf(container: Doc, what: string): Record<string, string> {
  const env: Record<string, unknown> = {};
  for (const source of (container.envFrom as unknown[] | undefined) ?? []) {
    const s = record(source, `${what}.envFrom`);
    assert.equal(s.prefix, undefined, `${what}: envFrom prefix`);
    if (isRecord(s.configMapRef))
      Object.assign(env, record(named('ConfigMap', String(s.configMapRef.name)).data, 'data'));
    else if (isRecord(s.secretRef)) {
      const secret = named('Secret', String(s.secretRef.name));
      Object.assign(env, record(secret.stringData ?? {}, 'stringData'));
      for (const [k, v] of Object.entries(record(secret.data ?? {}, 'data')))
        env[k] = Buffer.from(String(v), 'base64').toString();
    } else assert.fail(`${what}: envFrom without configMapRef or secretRef`);
  }
  const fromFields: string[] = [];
  for (const item of (container.env as unknown[] | undefined) ?? []) {
    const e = record(item, `${what}.env`);
    const name = String(e.name);
    if (e.valueFrom !== undefined) {
      const path = String(record(record(e.valueFrom, 'valueFrom').fieldRef, `${what}: ${name}`).fieldPath);
      assert.ok(path in FIELD_VALUES, `${what}: env ${name} from ${path} is not checked here`);
      env[name] = FIELD_VALUES[path];
      fromFields.push(name);
      continue;
    }
    // Kubernetes expands $(NAME) of a variable defined earlier in the list.
    env[name] = text(e.value).replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (whole, ref: string) =>
      ref in env ? text(env[ref]) : whole,
    );
  }
  for (const name of fromFields) {
    assert.ok(
      Object.entries(env).some(([other, value]) => other !== name && text(value).includes(text(env[name]))),
      `${what}: ${name} is used`,
    );
    if (!Object.hasOwn(SETTINGS, name)) delete env[name];
  }
  return asEnv(env);
}

describe('deploy/k8s manifests', () => {
  it('parse, and every object has a kind, a name and the namespace tps', () => {
    assert.ok(FILES.length > 0);
    for (const m of manifests) {
      assert.ok(m.kind && m.name, `${m.file}: kind and metadata.name`);
      if (m.kind !== 'Namespace')
        assert.equal(record(m.doc.metadata, m.name).namespace, 'tps', `${m.file} ${m.name}`);
    }
  });

  it('validate against the Kubernetes schema (kubernetes-models)', () => {
    for (const m of manifests) {
      const key = `${String(m.doc.apiVersion)}/${m.kind}`;
      if (key === 'keda.sh/v1alpha1/ScaledObject') continue;
      const model = MODELS[key];
      assert.ok(model, `${m.file}: no schema check for ${key}; add it to MODELS`);
      assert.doesNotThrow(() => model(m.doc).validate(), `${m.file}: ${key} ${m.name}`);
    }
  });

  it('have a Deployment, a Service and a PodDisruptionBudget for each role, running the right command', () => {
    for (const [role, args] of Object.entries(ROLES)) {
      const deployment = named('Deployment', role);
      const [container] = containers(deployment, role);
      assert.match(String(container?.image), TPS_IMAGE);
      assert.deepEqual(container?.args ?? container?.command, ['node', 'bin/tps.js', ...args], role);
      named('Service', role);
      named('PodDisruptionBudget', role);
    }
  });

  /**
   * The API's and the workers' /health is 503 while intake cannot accept or a broker is down: a restart fixes
   * neither, so liveness reads /health/live; the API stays ready too, so clients get its 503 with Retry-After
   * and `POST /andon/reset` reaches a stopped line. Start-up waits for /health.
   */
  const probePath = (deployment: string, probe: string): string => {
    if (probe === 'startupProbe' || deployment === 'downstream') return '/health';
    if (probe === 'livenessProbe' || deployment === 'api') return '/health/live';
    return '/health';
  };

  it('give every Deployment probes, resource requests and limits, and a non-root securityContext', () => {
    for (const { name, doc } of ofKind('Deployment')) {
      const pod = podSpec(doc, name);
      const podSecurity = record(pod.securityContext, `${name} pod securityContext`);
      assert.equal(podSecurity.runAsNonRoot, true, `${name}: runAsNonRoot`);
      assert.notEqual(podSecurity.runAsUser, 0, `${name}: runAsUser`);
      for (const c of containers(doc, name)) {
        for (const probe of ['readinessProbe', 'livenessProbe'])
          assert.ok(isRecord(c[probe]), `${name}: ${probe}`);
        const resources = record(c.resources, `${name} resources`);
        for (const part of ['requests', 'limits']) {
          const r = record(resources[part], `${name} resources.${part}`);
          assert.ok(r.cpu !== undefined && r.memory !== undefined, `${name}: ${part} cpu and memory`);
        }
        const security = record(c.securityContext, `${name} securityContext`);
        assert.equal(security.allowPrivilegeEscalation, false, name);
        // A probe's port is one the container declares (by name or number).
        const ports = list(c.ports, `${name} ports`).map((p) => record(p, 'port'));
        for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
          if (!isRecord(c[probe])) continue;
          const port = record(record(c[probe], probe).httpGet, `${name} ${probe}.httpGet`).port;
          assert.ok(
            ports.some((p) => p.name === port || p.containerPort === port),
            `${name} ${probe} port ${String(port)}`,
          );
          assert.equal(
            record(record(c[probe], probe).httpGet, probe).path,
            probePath(name, probe),
            `${name} ${probe}`,
          );
        }
      }
    }
  });

  it('give the TPS containers only settings of the system, with values loadConfig accepts', () => {
    const data = record(named('ConfigMap', 'tps-config').data, 'tps-config data');
    assert.deepEqual(unknownNames(asEnv(data)), [], 'ConfigMap tps-config');
    const secret = record(named('Secret', 'tps-secrets').stringData, 'tps-secrets');
    assert.deepEqual(unknownNames(asEnv(secret)), [], 'Secret tps-secrets');
    for (const { name, doc } of ofKind('Deployment')) {
      for (const c of containers(doc, name).filter((c) => TPS_IMAGE.test(String(c.image)))) {
        const env = environmentOf(c, name);
        assert.deepEqual(unknownNames(env), [], `${name}: variables that are not in SETTINGS`);
        assert.doesNotThrow(() => loadFrom(env), `${name}: loadConfig rejects its environment`);
        const config = loadFrom(env);
        assert.equal(config.host, '0.0.0.0', `${name}: HOST`);
        if (name !== 'downstream') {
          assert.notEqual(config.queueBackend, 'memory', name);
          assert.notEqual(config.databaseUrl, '', name);
        }
        // The declared port is the one the role listens on.
        const ports = list(c.ports, name).map((p) => record(p, 'port').containerPort);
        if (name === 'api') assert.ok(ports.includes(config.port));
        if (name.startsWith('worker-')) assert.ok(ports.includes(config.workerPort));
        if (name === 'downstream')
          for (const p of [0, 1, 2]) assert.ok(ports.includes(config.downstreamPort + p));
      }
    }
  });

  it('annotate every TPS pod for scraping on the port its role serves /metrics on', () => {
    for (const { name, doc } of ofKind('Deployment').filter((d) => d.name in ROLES)) {
      const template = record(record(spec(doc, name).template, name).metadata, `${name} template metadata`);
      const annotations = record(template.annotations, `${name}: pod annotations`);
      assert.equal(annotations['prometheus.io/scrape'], 'true', name);
      assert.equal(annotations['prometheus.io/path'], '/metrics', name);
      const config = loadFrom(environmentOf(containers(doc, name)[0]!, name));
      // The downstream process serves its one registry on service A's port, DOWNSTREAM_PORT.
      const port =
        name === 'api' ? config.port : name === 'downstream' ? config.downstreamPort : config.workerPort;
      assert.equal(annotations['prometheus.io/port'], String(port), `${name}: prometheus.io/port`);
    }
  });

  it('let each role be reached by its Service in every DNS form and by its pod IP (ALLOWED_HOSTS)', () => {
    for (const { name, doc } of ofKind('Deployment').filter((d) => d.name in ROLES)) {
      const allowed = (environmentOf(containers(doc, name)[0]!, name).ALLOWED_HOSTS ?? '').split(',');
      named('Service', name);
      for (const host of [name, `${name}.tps`, `${name}.tps.svc`, `${name}.tps.svc.cluster.local`])
        assert.ok(allowed.includes(host), `${name}: ALLOWED_HOSTS lacks ${host}`);
      // Prometheus (prometheus.io annotations) and the kubelet's probes use the pod IP as Host.
      assert.ok(allowed.includes(FIELD_VALUES['status.podIP']!), `${name}: ALLOWED_HOSTS lacks the pod IP`);
    }
    // The names the workers use for the API and downstream are among those.
    const config = loadFrom(environmentOf(containers(named('Deployment', 'worker-fast'), 'w')[0]!, 'w'));
    for (const [role, host] of [
      ['api', new URL(config.apiUrl).hostname],
      ['downstream', config.downstreamHost],
    ] as const) {
      const env = environmentOf(containers(named('Deployment', role), role)[0]!, role);
      assert.ok((env.ALLOWED_HOSTS ?? '').split(',').includes(host), `${role}: ${host}`);
    }
    assert.equal(asEnv(record(named('ConfigMap', 'tps-config').data, 'data')).NATS_REPLICAS, '3');
  });

  it('point the settings at Services that exist', () => {
    const config = loadFrom(environmentOf(containers(named('Deployment', 'api'), 'api')[0]!, 'api'));
    const services = new Set(ofKind('Service').map((s) => s.name));
    for (const url of [
      config.natsUrl,
      config.amqpUrl,
      config.databaseUrl,
      `http://${config.downstreamHost}`,
    ]) {
      const [host = '', namespace] = new URL(url).hostname.split('.');
      assert.ok(services.has(host), `${url}: no Service ${host}`);
      assert.ok(namespace === undefined || namespace === 'tps', url);
    }
  });

  it('select pods that exist from every Service and PodDisruptionBudget, on ports the pods declare', () => {
    const workloads = [...ofKind('Deployment'), ...ofKind('StatefulSet')].map((w) => {
      const labels = podLabels(w.doc, w.name);
      const ports = containers(w.doc, w.name).flatMap((c) =>
        ((c.ports as unknown[] | undefined) ?? []).map((p) => record(p, 'p')),
      );
      return { name: w.name, labels, ports };
    });
    const matches = (selector: Doc, labels: Doc) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const { name, doc } of ofKind('Service')) {
      const selector = record(spec(doc, name).selector, `${name} selector`);
      const targets = workloads.filter((w) => matches(selector, w.labels));
      assert.ok(targets.length > 0, `Service ${name} selects no pods`);
      for (const port of list(spec(doc, name).ports, `${name} ports`).map((p) => record(p, 'port'))) {
        const target = port.targetPort ?? port.port;
        for (const w of targets)
          assert.ok(
            w.ports.some((p) => p.name === target || p.containerPort === target),
            `Service ${name} → ${w.name}:${String(target)}`,
          );
      }
    }
    for (const { name, doc } of ofKind('PodDisruptionBudget')) {
      const selector = record(record(spec(doc, name).selector, name).matchLabels, `${name} matchLabels`);
      assert.ok(
        workloads.some((w) => matches(selector, w.labels)),
        `PDB ${name} selects no pods`,
      );
    }
    for (const { name, doc } of [...ofKind('Deployment'), ...ofKind('StatefulSet')]) {
      const selector = record(record(spec(doc, name).selector, name).matchLabels, name);
      assert.ok(matches(selector, podLabels(doc, name)), `${name}: selector does not match its pods`);
    }
  });

  it('run a three-server NATS JetStream cluster with routes through a headless Service', () => {
    const nats = named('StatefulSet', 'nats');
    assert.equal(spec(nats, 'nats').replicas, 3);
    const headless = named('Service', String(spec(nats, 'nats').serviceName));
    assert.equal(spec(headless, 'headless').clusterIP, 'None');
    const conf = String(record(named('ConfigMap', 'nats-config').data, 'nats-config')['nats.conf']);
    assert.match(conf, /jetstream\s*\{/);
    const headlessName = String(spec(nats, 'nats').serviceName);
    for (const i of [0, 1, 2])
      assert.ok(
        conf.includes(`nats://nats-${i}.${headlessName}.tps.svc.cluster.local:6222`),
        `route to nats-${i}`,
      );
    assert.match(conf, /server_name:\s*\$POD_NAME/);
  });

  it('scale each worker pool with KEDA on its JetStream consumer, by the names the code creates', () => {
    const scaled = ofKind('ScaledObject');
    assert.equal(scaled.length, 2);
    const prefix = loadFrom(asEnv(record(named('ConfigMap', 'tps-config').data, 'data'))).queuePrefix;
    const names = jetStreamNames(prefix);
    const lanes = new Set<string>();
    for (const { name, doc } of scaled) {
      assert.equal(doc.apiVersion, 'keda.sh/v1alpha1');
      const s = spec(doc, name);
      const target = record(s.scaleTargetRef, `${name}.scaleTargetRef`);
      assert.ok(target.kind === undefined || target.kind === 'Deployment');
      const deployment = named('Deployment', String(target.name));
      const args = list(containers(deployment, name)[0]?.args, `${name} args`);
      const lane = String(args[args.indexOf('--pool') + 1]) as LaneName;
      lanes.add(lane);
      assert.ok(Number(s.minReplicaCount) >= 1, `${name}: keep one worker for /health and /metrics`);
      assert.ok(Number(s.maxReplicaCount) >= Number(s.minReplicaCount));
      const [trigger, ...others] = list(s.triggers, `${name}.triggers`).map((t) => record(t, 'trigger'));
      assert.equal(others.length, 0);
      assert.equal(trigger?.type, 'nats-jetstream');
      const metadata = asEnv(record(trigger?.metadata, `${name} trigger metadata`));
      assert.equal(metadata.stream, names.laneStream(lane), `${name}: stream`);
      assert.equal(metadata.consumer, names.laneConsumer(lane), `${name}: consumer`);
      assert.ok(Number(metadata.lagThreshold) > 0);
      assert.equal(metadata.account, '$G');
      const [host = '', port] = String(metadata.natsServerMonitoringEndpoint).split(':');
      assert.equal(Number(port), 8222);
      assert.ok(named('Service', host.split('.')[0]!), `${name}: monitoring endpoint ${host}`);
    }
    assert.deepEqual([...lanes].sort(), ['fast', 'slow']);
  });
});

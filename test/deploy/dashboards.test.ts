/**
 * The Grafana dashboards of dashboards/ at the repository root: current with scripts/dashboards.ts (a committed
 * file that differs from what the generator writes fails), provisioned
 * datasources only, 5 s refresh; and every Prometheus query of every panel, run through a real Prometheus
 * (Debian's package) that scrapes a running embedded system with the shipped scrape config and rules, parses
 * and returns data.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { DASHBOARDS, dashboardFile, dashboardText } from '../../scripts/dashboards.js';
import { freePort } from '../support/processes.js';
import { skipWithout } from '../support/services.js';
import { startTestSystem, type TestSystem } from '../support/testSystem.js';
import { waitFor } from '../support/waitFor.js';
import { DEPLOY, list, readText, record, REPO, type Doc } from './support.js';

const PROMETHEUS = '/usr/bin/prometheus';
const GRAFANA = join(DEPLOY, 'grafana');
const DASHBOARD_DIR = join(REPO, 'dashboards');

interface Panel {
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  refresh: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string }; datasource: { uid: string } }[] };
}

const shipped: Dashboard[] = readdirSync(DASHBOARD_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readText(join(DASHBOARD_DIR, name))) as Dashboard);

const provisioned = list(
  record(parse(readText(join(GRAFANA, 'provisioning/datasources/datasources.yml'))), 'datasources.yml')
    .datasources,
  'datasources',
).map((source) => record(source, 'datasource'));
const uidOf = (type: string) => String(provisioned.find((source) => source.type === type)?.uid);

/** Grafana's own variables become what Grafana would put there; the template variables match everything. */
const asPromQL = (expr: string) =>
  expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '1m')
    .replace(/\$\{(lane|pool)\}|\$(lane|pool)\b/g, '.*');

/** Every Prometheus expression of every panel, with where it comes from. */
const panelQueries = shipped.flatMap((dashboard) =>
  dashboard.panels.flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => (target.datasource ?? panel.datasource)?.uid === uidOf('prometheus'))
      .map((target) => ({ where: `${dashboard.title} › ${panel.title}`, expr: asPromQL(target.expr) })),
  ),
);
/** `label_values(metric, label)` of a variable, as a query that must return that label. */
const variableQueries = shipped.flatMap((dashboard) =>
  dashboard.templating.list.map((variable) => {
    const [, metric, label] = /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query.query) ?? [];
    assert.ok(
      metric && label,
      `${dashboard.title}: variable ${variable.name} is label_values(metric, label)`,
    );
    return { where: `${dashboard.title} › $${variable.name}`, expr: `count by (${label}) (${metric})` };
  }),
);

describe('Grafana dashboards', () => {
  it('are the four of the user guide, current with scripts/dashboards.ts (`npm run dashboards` after a change)', async () => {
    assert.deepEqual(shipped.map((d) => d.title).sort(), [
      'Bottleneck Analysis',
      'Capacity Planning',
      'TPS System Health',
      'Worker Pools',
    ]);
    for (const dashboard of DASHBOARDS)
      assert.equal(readText(dashboardFile(dashboard.uid)), await dashboardText(dashboard), dashboard.title);
  });

  it('refresh every 5 s and use only the provisioned datasources, with a description on every panel', () => {
    const uids = new Set(provisioned.map((source) => String(source.uid)));
    for (const dashboard of shipped) {
      assert.equal(dashboard.refresh, '5s', dashboard.title);
      for (const variable of dashboard.templating.list) assert.ok(uids.has(variable.datasource.uid));
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        const where = `${dashboard.title} › ${panel.title}`;
        assert.ok(panel.datasource && uids.has(panel.datasource.uid), `${where}: datasource`);
        assert.ok((panel.targets ?? []).length > 0, `${where}: no query`);
        assert.ok((panel.description ?? '').length > 20, `${where}: description`);
      }
    }
  });

  it('have an SLO row, and links from latency panels to traces', () => {
    const health = shipped.find((d) => d.title === 'TPS System Health')!;
    assert.ok(health.panels.some((p) => p.type === 'row' && /SLO/.test(p.title)));
    const text = JSON.stringify(shipped);
    assert.ok(text.includes('slo_error_budget_remaining') && text.includes('slo:sli_error:ratio_rate5m'));
    assert.ok(text.includes(encodeURIComponent(`"uid":"${uidOf('jaeger')}"`)), 'a link to Jaeger');
  });

  describe('against a real Prometheus', { skip: skipWithout(PROMETHEUS, 'prometheus') }, () => {
    let system: TestSystem;
    let prometheus: ChildProcess | undefined;
    let promUrl = '';
    let output = '';
    const dir = mkdtempSync(join(tmpdir(), 'tps-prometheus-'));

    const query = async (expr: string): Promise<{ ok: boolean; why: string }> => {
      const response = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { result: unknown[] };
      };
      if (body.status !== 'success')
        return { ok: false, why: `does not run: ${body.error ?? response.status}` };
      const count = body.data?.result.length ?? 0;
      return { ok: count > 0, why: 'returns no data' };
    };

    before(async () => {
      // The crashed worker may hold a signal; a short lease brings it back well within the wait for `completed`
      // (the default, 30 s, made this test fail whenever the crash caught a signal in flight).
      system = await startTestSystem({ circuitBreakerThreshold: 50, leaseMs: 500 });
      const target = new URL(system.url).host;
      const promPort = await freePort();
      promUrl = `http://127.0.0.1:${promPort}`;

      // The shipped config with its jobs, paths and labels; targets rewritten to this machine, scraped every second.
      // The embedded system runs the workers and the downstream chain inside the API process, so the worker and
      // downstream jobs would scrape the same process again (and count everything twice): they are left out
      // here, and the downstream panels read the chain's metrics from the API's /metrics. The downstream
      // process's own /metrics is tested in test/distributed/downstreamMetrics.test.ts.
      const shippedConfig = record(parse(readText(join(REPO, 'prometheus.yml'))), 'prometheus.yml');
      const jobs = list(shippedConfig.scrape_configs, 'scrape_configs').map((job) => record(job, 'job'));
      const retarget = (job: Doc, address: string): Doc => ({
        ...job,
        scrape_interval: '1s',
        static_configs: list(job.static_configs, 'static_configs').map((group) => ({
          ...record(group, 'static_config'),
          targets: [address],
        })),
      });
      const config = {
        ...shippedConfig,
        global: {
          ...record(shippedConfig.global, 'global'),
          scrape_interval: '1s',
          evaluation_interval: '1s',
        },
        rule_files: list(shippedConfig.rule_files, 'rule_files').map((pattern) =>
          join(REPO, String(pattern)),
        ),
        scrape_configs: [
          retarget(
            jobs.find((job) => job.job_name === 'tps-api')!,
            target,
          ),
          retarget(
            jobs.find((job) => job.job_name === 'prometheus')!,
            `127.0.0.1:${promPort}`,
          ),
        ],
      };
      for (const job of ['tps-worker', 'tps-downstream'])
        assert.ok(
          jobs.some((shipped) => shipped.job_name === job),
          `the shipped config has the job ${job}`,
        );
      writeFileSync(join(dir, 'prometheus.yml'), stringify(config));

      prometheus = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      prometheus.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      prometheus.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(async () => (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok, {
        timeoutMs: 15_000,
        intervalMs: 100,
        message: 'Prometheus ready',
      }).catch((error: unknown) => assert.fail(`${String(error)}\n${output}`));
      // A first scrape before the traffic, so counters are seen to grow (increase() and the alerts need that).
      await waitFor(async () => (await query('up{job="tps-api"} == 1')).ok, {
        timeoutMs: 10_000,
        intervalMs: 200,
        message: 'the API scraped',
      });

      // A little of everything: both lanes, a refused bad request, a 503 from a stopped lane, a worker crash.
      const sent = await Promise.all(
        ['execute', 'validate', 'notify', 'execute', 'report', 'batch', 'analyze', 'execute'].map((type) =>
          system.send({ signal_type: type, payload: {} }),
        ),
      );
      assert.ok(sent.every((answer) => answer.status === 202));
      assert.equal((await system.send({ signal_type: 'nonsense', payload: {} })).status, 400);
      await system.post('/andon/pull', { lane: 'slow', reason: 'dashboard test' });
      assert.equal((await system.send({ signal_type: 'report', payload: {} })).status, 503);
      await system.post('/andon/reset', { lane: 'slow' });
      assert.equal((await system.post('/chaos/crash-worker', { pool: 'fast' })).status, 200);
      for (const answer of sent) await system.waitForStatus(String(answer.body.id), 'completed');
      await Promise.all(['execute', 'report'].map((type) => system.send({ signal_type: type, payload: {} })));
    });

    after(async () => {
      if (prometheus && prometheus.exitCode === null) {
        prometheus.kill('SIGTERM');
        await once(prometheus, 'exit');
      }
      await system?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('loads the shipped rules', async () => {
      const response = await fetch(`${promUrl}/api/v1/rules`);
      const body = (await response.json()) as { data: { groups: { file: string; rules: unknown[] }[] } };
      const files = new Set(body.data.groups.map((group) => group.file.split('/').at(-1)));
      assert.deepEqual([...files].sort(), ['slo.rules.yml', 'tps.rules.yml']);
    });

    it("keeps the metrics' own labels: no target label pushes one aside as exported_*", async () => {
      await waitFor(async () => (await query('downstream_latency_seconds_count{service="service-a"}')).ok, {
        timeoutMs: 10_000,
        intervalMs: 200,
        message: 'downstream_latency_seconds{service="service-a"} scraped',
      });
      const labels = ((await (await fetch(`${promUrl}/api/v1/labels`)).json()) as { data: string[] }).data;
      assert.deepEqual(
        labels.filter((label) => label.startsWith('exported_')),
        [],
      );
    });

    it('answers every panel query and every variable with data', { timeout: 60_000 }, async () => {
      assert.ok(panelQueries.length >= 40, `${panelQueries.length} panel queries`);
      let failing: string[] = [];
      // Rates need two scrapes after the traffic and the rules an evaluation: poll until all answer, or report.
      await waitFor(
        async () => {
          const results = await Promise.all(
            [...panelQueries, ...variableQueries].map(async (q) => ({ ...q, ...(await query(q.expr)) })),
          );
          failing = results.filter((r) => !r.ok).map((r) => `${r.where}: ${r.why}\n    ${r.expr}`);
          return failing.length === 0;
        },
        { timeoutMs: 30_000, intervalMs: 1000, message: 'every panel query answered' },
      ).catch(() => assert.fail(`${failing.length} queries fail:\n${failing.join('\n')}`));
    });

    it('shows an alert firing on the SLO row: the crashed worker', async () => {
      await waitFor(
        async () => (await query('ALERTS{alertname="TpsWorkerRestarts",alertstate="firing"}')).ok,
        {
          timeoutMs: 10_000,
          intervalMs: 500,
          message: 'TpsWorkerRestarts firing',
        },
      );
    });
  });
});

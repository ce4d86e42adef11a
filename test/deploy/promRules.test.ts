/**
 * The Prometheus rules in deploy/prometheus/rules/: the SLO file is what scripts/sloRules.ts generates from the
 * settings, promtool accepts the rules and the config, every alert has a unit test that shows it firing and one
 * that shows it quiet, and those tests pass (`promtool test rules`). Needs Debian's `prometheus` package.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { RULES_FILE, sloRulesYaml } from '../../scripts/sloRules.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { skipWithout } from '../support/services.js';
import { DEPLOY, isRecord, list, readText, record, REPO } from './support.js';

const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = join(DEPLOY, 'prometheus');
const yamlIn = (dir: string) =>
  readdirSync(join(PROMETHEUS, dir))
    .filter((name) => name.endsWith('.yml'))
    .map((name) => join(PROMETHEUS, dir, name));
const RULE_FILES = yamlIn('rules');
const TEST_FILES = yamlIn('tests');

const rulesOf = (file: string) =>
  list(record(parse(readText(file)), file).groups, `${file} groups`).flatMap((group) =>
    list(record(group, 'group').rules, 'rules').map((rule) => record(rule, 'rule')),
  );
const ALERTS = RULE_FILES.flatMap(rulesOf).flatMap((rule) =>
  typeof rule.alert === 'string' ? [rule.alert] : [],
);

const promtool = async (...args: string[]) => {
  try {
    return (await promisify(execFile)(PROMTOOL, args, { timeout: 60_000 })).stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
};

describe('Prometheus rules', () => {
  it('ship the SLO rules scripts/sloRules.ts generates (run `npx tsx scripts/sloRules.ts` after changing SLOs)', () => {
    assert.equal(readText(RULES_FILE), sloRulesYaml());
  });

  it('have the page and ticket burn-rate alerts of each SLO and the five alerts on the mechanisms', () => {
    for (const slo of ['IntakeAvailability', 'FastLeadTime', 'SlowLeadTime'])
      for (const severity of ['Page', 'Ticket']) assert.ok(ALERTS.includes(`Tps${slo}BudgetBurn${severity}`));
    for (const name of [
      'TpsCircuitBreakerOpen',
      'TpsLaneNearlyFull',
      'TpsWorkerRestarts',
      'TpsQueueBackendDown',
      'TpsDeadLettersGrowing',
    ])
      assert.ok(ALERTS.includes(name), name);
    assert.equal(new Set(ALERTS).size, ALERTS.length, 'alert names are unique');
  });

  it('read lead-time buckets the system exports, at the SLO thresholds', async () => {
    const metrics = createMetrics();
    metrics.leadTime.observe({ lane: 'fast' }, 0.5);
    const exposition = await metrics.registry.metrics();
    const used = new Set(
      [...readText(RULES_FILE).matchAll(/signal_lead_time_seconds_bucket\{[^}]*le="([^"]+)"/g)].map(
        (m) => m[1],
      ),
    );
    assert.deepEqual([...used].sort(), ['1', '10']);
    for (const le of used)
      assert.ok(
        exposition.includes(`signal_lead_time_seconds_bucket{le="${le}",lane="fast"}`),
        `bucket le=${le}`,
      );
  });

  it('give every alert a runbook line in docs/observability.md', () => {
    const docs = readText(join(REPO, 'docs', 'observability.md'));
    for (const rule of RULE_FILES.flatMap(rulesOf).filter((r) => r.alert)) {
      const runbook = String(record(rule.annotations, 'annotations').runbook);
      assert.equal(runbook, `docs/observability.md#${String(rule.alert).toLowerCase()}`);
      assert.match(
        docs,
        new RegExp(`^#+ .*\\b${String(rule.alert)}\\b`, 'm'),
        `${String(rule.alert)} has a heading`,
      );
    }
  });

  it('test every alert firing and quiet', () => {
    const seen = new Map<string, { firing: boolean; quiet: boolean }>();
    for (const file of TEST_FILES) {
      for (const test of list(record(parse(readText(file)), file).tests, 'tests')) {
        for (const check of (record(test, 'test').alert_rule_test as unknown[] | undefined) ?? []) {
          const c = record(check, 'alert_rule_test');
          const entry = seen.get(String(c.alertname)) ?? { firing: false, quiet: false };
          const expected = (c.exp_alerts as unknown[] | undefined) ?? [];
          if (expected.length > 0 && expected.every(isRecord)) entry.firing = true;
          else entry.quiet = true;
          seen.set(String(c.alertname), entry);
        }
      }
    }
    for (const alert of ALERTS) {
      assert.ok(seen.get(alert)?.firing, `${alert}: no test shows it firing`);
      assert.ok(seen.get(alert)?.quiet, `${alert}: no test shows it quiet`);
    }
  });

  describe('with promtool', { skip: skipWithout(PROMTOOL, 'prometheus') }, () => {
    it('accepts the rules and the config that loads them', async () => {
      assert.match(await promtool('check', 'rules', ...RULE_FILES), /SUCCESS/);
      const config = await promtool('check', 'config', join(REPO, 'prometheus.yml'));
      assert.match(config, new RegExp(`SUCCESS: ${RULE_FILES.length} rule files found`));
    });

    it('passes the rule unit tests', async () => {
      const out = await promtool('test', 'rules', ...TEST_FILES);
      assert.equal(out.match(/SUCCESS/g)?.length, TEST_FILES.length, out);
    });
  });
});

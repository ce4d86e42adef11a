// Writes the four Grafana dashboards of the user guide into dashboards/*.json at the repository root, which
// Grafana provisions: `npm run dashboards`. The panels are data in scripts/dashboards/ (health.ts, analysis.ts),
// turned into Grafana's JSON model with the Grafana Foundation SDK (build.ts). test/deploy/dashboards.test.ts fails
// when a committed file differs from what this writes, and runs every panel's query against a real Prometheus.
// docs/observability.md describes every panel.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { bottleneck, capacity } from './dashboards/analysis.js';
import { dashboardJson, type DashboardSpec } from './dashboards/build.js';
import { systemHealth, workerPools } from './dashboards/health.js';

const DASHBOARD_DIR = fileURLToPath(new URL('../dashboards/', import.meta.url));

export const DASHBOARDS: readonly DashboardSpec[] = [
  { uid: 'tps-system-health', title: 'TPS System Health', items: systemHealth, vars: ['lane'] },
  { uid: 'tps-worker-pools', title: 'Worker Pools', items: workerPools, vars: ['pool'] },
  { uid: 'tps-bottleneck-analysis', title: 'Bottleneck Analysis', items: bottleneck, vars: ['lane'] },
  { uid: 'tps-capacity-planning', title: 'Capacity Planning', items: capacity, vars: ['lane'] },
];

export const dashboardFile = (uid: string) => `${DASHBOARD_DIR}${uid}.json`;
/** The file's text, formatted as `npm run format` would leave it. */
export const dashboardText = async (dashboard: DashboardSpec) => {
  const file = dashboardFile(dashboard.uid);
  return format(JSON.stringify(dashboardJson(dashboard)), { ...(await resolveConfig(file)), filepath: file });
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const dashboard of DASHBOARDS) {
    writeFileSync(dashboardFile(dashboard.uid), await dashboardText(dashboard));
    console.log(`wrote ${dashboardFile(dashboard.uid)}`);
  }
}

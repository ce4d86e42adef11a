import type { LoadReport } from './LoadReport.js';

/** Which way is better for a figure: more (accepted, rate), less (latency, rejections), or neither. */
export type Better = 'higher' | 'lower' | 'neither';

export interface ComparisonRow {
  metric: string;
  unit: '' | '%' | '/s' | 'ms';
  before: number;
  after: number;
  /** after − before. */
  delta: number;
  /** delta as a share of before (0.25 = +25 %); undefined when before is 0. */
  change: number | undefined;
  better: Better;
  /** Did it get better, worse, or stay the same (within 1 %)? */
  verdict: 'better' | 'worse' | 'same' | '';
}

const rejectedTotal = (report: LoadReport): number =>
  report.rejected['429'] +
  report.rejected['503'] +
  report.rejected['4xx'] +
  report.rejected['5xx'] +
  report.rejected.errors;

const percent = (part: number, whole: number): number => (whole === 0 ? 0 : (100 * part) / whole);

const FIGURES: [string, ComparisonRow['unit'], Better, (report: LoadReport) => number][] = [
  ['sent', '', 'neither', (r) => r.sent],
  ['target rate', '/s', 'neither', (r) => r.targetRate],
  ['achieved rate', '/s', 'neither', (r) => r.achievedRate],
  ['accepted', '%', 'higher', (r) => percent(r.accepted, r.sent)],
  ['rejected 429', '%', 'lower', (r) => percent(r.rejected['429'], r.sent)],
  ['rejected 503', '%', 'lower', (r) => percent(r.rejected['503'], r.sent)],
  ['errors', '%', 'lower', (r) => percent(r.rejected.errors + r.rejected['5xx'] + r.rejected['4xx'], r.sent)],
  ['all rejected', '%', 'lower', (r) => percent(rejectedTotal(r), r.sent)],
  ['latency p50', 'ms', 'lower', (r) => r.latencyMs.p50],
  ['latency p90', 'ms', 'lower', (r) => r.latencyMs.p90],
  ['latency p99', 'ms', 'lower', (r) => r.latencyMs.p99],
  ['latency p99.9', 'ms', 'lower', (r) => r.latencyMs.p999],
  ['latency max', 'ms', 'lower', (r) => r.latencyMs.max],
];

/** Before/after, figure by figure, with the change and whether it is an improvement (Kaizen). */
export function compareReports(before: LoadReport, after: LoadReport): ComparisonRow[] {
  return FIGURES.map(([metric, unit, better, read]) => {
    const a = read(before);
    const b = read(after);
    const delta = b - a;
    const change = a === 0 ? undefined : delta / a;
    const same =
      unit === '%' ? Math.abs(delta) < 0.01 : change === undefined ? delta === 0 : Math.abs(change) < 0.01;
    const verdict: ComparisonRow['verdict'] =
      better === 'neither' ? '' : same ? 'same' : delta > 0 === (better === 'higher') ? 'better' : 'worse';
    return { metric, unit, before: a, after: b, delta, change, better, verdict };
  });
}

/** Checks that parsed JSON looks like a LoadReport written by `tps load --json`; says what is missing if not. */
export function asLoadReport(value: unknown): LoadReport {
  const report = value as Partial<LoadReport> | null;
  const missing = ['sent', 'accepted', 'rejected', 'latencyMs', 'targetRate', 'achievedRate'].filter(
    (key) => report === null || typeof report !== 'object' || !(key in report),
  );
  if (missing.length > 0) throw new Error(`not a load report (no ${missing.join(', ')})`);
  return report as LoadReport;
}

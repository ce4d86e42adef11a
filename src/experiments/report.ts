import { formatTable } from '../cli/formatTable.js';
import type { ExperimentResult } from './Lab.js';

const fmt = (value: number | string | null, unit?: string): string =>
  value === null ? '—' : `${value}${unit ? ` ${unit}` : ''}`;

/** The text a learner reads at the end: timeline, figures, invariants, and the by-id accounting. */
export function formatExperiment(result: ExperimentResult): string {
  const a = result.accounting;
  return [
    `experiment ${result.experiment} against ${result.url}`,
    '',
    'TIMELINE',
    formatTable(
      ['AT', 'KIND', 'EVENT'],
      result.events.map((e) => [`${(e.t / 1000).toFixed(2)} s`, e.kind, e.what]),
    ),
    '',
    'FIGURES',
    formatTable(
      ['FIGURE', 'VALUE'],
      result.figures.map((f) => [f.name, fmt(f.value, f.unit)]),
    ),
    '',
    'CHECKS',
    formatTable(
      ['', 'CHECK', 'DETAIL'],
      result.invariants.map((i) => [i.ok ? 'ok' : 'FAIL', i.name, i.detail]),
    ),
    '',
    `accepted = completed + dead-lettered + expired, checked by id: ${a.accepted} = ${a.completed} + ${a.deadLettered} + ${a.expired}` +
      (a.failed > 0 ? ` (+ ${a.failed} failed for good)` : '') +
      ` — ${a.holds ? 'holds, nothing lost' : `DOES NOT HOLD (${a.unsettled} unsettled, ${a.missing} missing)`}`,
  ].join('\n');
}

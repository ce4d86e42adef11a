import type { ExperimentResult } from './Lab.js';

// The timeline picture is hand-written SVG: a few polylines and rectangles need no charting dependency,
// and any browser opens the file.

const W = 960;
const LEFT = 70;
const RIGHT = 20;
const PANEL = 110;
const GAP = 28;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const STATE_COLOUR = { closed: '#2ca02c', half_open: '#ffbf00', open: '#d62728' } as const;

const esc = (text: string) => text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

interface Series {
  label: string;
  points: Array<[number, number]>;
}

export function renderTimelineSvg(result: ExperimentResult): string {
  const endT = Math.max(
    1,
    ...result.samples.map((s) => s.t),
    ...result.intervals.map((i) => i.fromMs + result.bucketMs),
  );
  const x = (t: number) => LEFT + ((W - LEFT - RIGHT) * t) / endT;
  const perSecond = 1000 / result.bucketMs;
  const at = (i: { fromMs: number }) => i.fromMs + result.bucketMs / 2;
  const lanes = Object.keys(result.samples[0]?.lanes ?? {});
  const pools = Object.keys(result.samples[0]?.pools ?? {});
  const breakers = Object.keys(result.samples[0]?.breakers ?? {});

  const panels: Array<{ title: string; series: Series[]; unit: string }> = [
    {
      title: 'load (requests/s by answer)',
      unit: '/s',
      series: [
        { label: 'sent', points: result.intervals.map((i) => [at(i), i.sent * perSecond]) },
        { label: '503', points: result.intervals.map((i) => [at(i), i.r503 * perSecond]) },
        { label: 'accepted', points: result.intervals.map((i) => [at(i), i.accepted * perSecond]) },
        { label: '429', points: result.intervals.map((i) => [at(i), i.r429 * perSecond]) },
      ],
    },
    {
      title: 'p99 latency (intake answer; lead time created → completed)',
      unit: 'ms',
      series: [
        { label: 'intake p99', points: result.intervals.map((i) => [at(i), i.p99]) },
        { label: 'lead-time p99', points: result.intervals.map((i) => [at(i), i.leadP99]) },
      ],
    },
    {
      title: 'queue depth by lane',
      unit: '',
      series: lanes.map((lane) => ({
        label: lane,
        points: result.samples.map((s) => [s.t, s.lanes[lane]?.depth ?? 0]),
      })),
    },
    {
      title: 'worker pool size',
      unit: '',
      series: pools.map((pool) => ({
        label: pool,
        points: result.samples.map((s) => [s.t, s.pools[pool]?.size ?? 0]),
      })),
    },
  ];

  const parts: string[] = [];
  let top = 40;
  for (const panel of panels) {
    const max = Math.max(1, ...panel.series.flatMap((s) => s.points.map(([, v]) => v)));
    const y = (v: number) => top + PANEL - (PANEL * v) / max;
    parts.push(
      `<text x="${LEFT}" y="${top - 6}" font-size="12" font-weight="bold">${esc(panel.title)}</text>`,
      `<rect x="${LEFT}" y="${top}" width="${W - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#bbb"/>`,
      `<text x="${LEFT - 6}" y="${top + 10}" font-size="10" text-anchor="end">${Math.round(max)}${panel.unit}</text>`,
      `<text x="${LEFT - 6}" y="${top + PANEL}" font-size="10" text-anchor="end">0</text>`,
    );
    panel.series.forEach((series, n) => {
      const colour = COLOURS[n % COLOURS.length] ?? '#000';
      if (series.points.length > 0) {
        const points = series.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
        parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${points}"/>`);
      }
      parts.push(
        `<text x="${W - RIGHT - 8 - 90 * n}" y="${top - 6}" font-size="10" fill="${colour}" text-anchor="end">${esc(series.label)}</text>`,
      );
    });
    top += PANEL + GAP;
  }

  // Breaker state: one band per breaker, coloured by its state between samples.
  parts.push(
    `<text x="${LEFT}" y="${top - 6}" font-size="12" font-weight="bold">breaker state (green closed, amber half-open, red open)</text>`,
  );
  for (const name of breakers) {
    parts.push(`<text x="${LEFT - 6}" y="${top + 11}" font-size="10" text-anchor="end">${esc(name)}</text>`);
    result.samples.forEach((sample, i) => {
      const next = result.samples[i + 1]?.t ?? sample.t + 250;
      const state = sample.breakers[name]?.state ?? 'closed';
      parts.push(
        `<rect x="${x(sample.t).toFixed(1)}" y="${top}" width="${Math.max(0.5, x(next) - x(sample.t)).toFixed(1)}" height="14" fill="${STATE_COLOUR[state]}"/>`,
      );
    });
    top += 18;
  }
  top += GAP;

  // Faults and phases as vertical lines over everything.
  for (const event of result.events.filter((e) => e.kind === 'fault' || e.kind === 'phase')) {
    const colour = event.kind === 'fault' ? '#d62728' : '#777';
    parts.push(
      `<line x1="${x(event.t).toFixed(1)}" y1="30" x2="${x(event.t).toFixed(1)}" y2="${top - GAP}" stroke="${colour}" stroke-dasharray="4 3"/>`,
      `<title>${esc(event.what)}</title>`,
    );
  }
  for (let s = 0; s <= endT / 1000; s += endT > 60_000 ? 10 : endT > 10_000 ? 2 : 1) {
    parts.push(
      `<text x="${x(s * 1000).toFixed(1)}" y="${top - GAP + 14}" font-size="10" text-anchor="middle">${s}s</text>`,
    );
  }
  const height = top + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="18" font-size="14" font-weight="bold">tps experiment ${esc(result.experiment)} — ${esc(result.startedAt)} (dashed: faults red, phases grey)</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

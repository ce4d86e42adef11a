const WIDTH = 300;
const HEIGHT = 80;

/**
 * A tiny inline SVG chart: one polyline per series over a shared y scale from 0 to the largest value, the newest
 * point at the right. Small and dependency-free; the axis maximum is written in the corner.
 */
export function sparkline(series: number[][], colours: string[], label: string): string {
  const points = Math.max(2, ...series.map((values) => values.length));
  const max = Math.max(1, ...series.flat().filter(Number.isFinite));
  const step = WIDTH / (points - 1);
  const lines = series
    .map((values, i) => {
      const offset = points - values.length;
      const coords = values
        .map((value, j) => {
          const x = (offset + j) * step;
          const y = HEIGHT - (Number.isFinite(value) ? value / max : 0) * (HEIGHT - 4) - 2;
          return `${x.toFixed(1)},${y.toFixed(1)}`;
        })
        .join(' ');
      return `<polyline fill="none" stroke="${colours[i] ?? '#000'}" stroke-width="1.5" points="${coords}"/>`;
    })
    .join('');
  const top = max >= 100 ? max.toFixed(0) : String(Math.round(max * 10) / 10);
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${label}, max ${top}">` +
    `${lines}</svg><p class="small">max ${top}</p>`
  );
}

/**
 * The value of the first sample of a Prometheus text exposition with this metric name that carries all of
 * `labels` (in any order; it may carry more), or undefined. Written by hand: prom-client writes the format but
 * does not read it, and a few lines do not justify a parser package.
 */
export function metricSample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2]!.split(',');
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return undefined;
}

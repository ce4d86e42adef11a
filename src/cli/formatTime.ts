const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Local wall-clock time of an ISO timestamp or epoch ms, `HH:MM:SS.mmm` with `millis`, else `HH:MM:SS`. */
export function clockTime(at: string | number | Date, { millis = false }: { millis?: boolean } = {}): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const base = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return millis ? `${base}.${pad(date.getMilliseconds(), 3)}` : base;
}

/** A span of time for people: `850 ms`, `4.2 s`, `3m 05s`, `2h 10m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(abs / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`;
}

/** `HH:MM:SS (4.2 s ago)`, or `HH:MM:SS (in 12.0 s)` for a time still ahead. */
export function timeAndAge(at: string | undefined, now: number): string {
  if (!at) return '—';
  const then = Date.parse(at);
  if (Number.isNaN(then)) return at;
  const delta = now - then;
  return `${clockTime(then)} (${delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`})`;
}

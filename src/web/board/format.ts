import type { Level } from '../../domain/status.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** A level in words as well as colour. */
export const levelBadge = (level: Level): string =>
  `<span class="level ${level}">${level.toUpperCase()}</span>`;

/** One decimal below 100, none above; `digits` when given. */
export const fixed = (value: number, digits?: number): string =>
  !Number.isFinite(value) ? '—' : value.toFixed(digits ?? (Math.abs(value) >= 100 ? 0 : 1));

/** `09:41:02`, local time. */
export const timeOf = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour12: false });
};

const ago = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
};

/** `since 09:41:02 (12 s)`. */
export const sinceText = (iso: string, now = Date.now()): string =>
  `since ${timeOf(iso)} (${ago(now - new Date(iso).getTime())})`;

import { EventEmitter, type Event } from '../../domain/disposable.js';
import type { LaneName } from '../../domain/signal.js';
import { systemClock, type Clock } from '../clock.js';
import type { Breaker } from './Breaker.js';

/** Seconds a client is told to wait while an andon cord is pulled: a person has to reset it. */
export const CORD_RETRY_AFTER_SECONDS = 5;
/** The shortest Retry-After the line gives while a lane's breaker is not closed. */
export const MIN_BREAKER_RETRY_AFTER_SECONDS = 1;

/** The name of the breaker that guards a lane's work. */
export const laneBreakerName = (lane: LaneName): string => `lane:${lane}`;

export type LaneAdmission = { ok: true } | { ok: false; cause: string; retryAfterSeconds: number };

export interface PullPermit {
  /** Whether this pull is probe work for a breaker that is open-and-due or half-open. */
  readonly probe: boolean;
  /** Gives the permit back; calling it again does nothing. */
  release(): void;
}

export interface Cord {
  pulled: boolean;
  reason?: string;
  by?: string;
  /** Epoch ms of the last pull or reset (of creation, before the first). */
  since: number;
}

export interface LineSnapshot {
  line: Cord;
  lanes: Record<LaneName, Cord>;
}

export interface LineEvent {
  at: number;
  /** Absent for the whole line. */
  lane?: LaneName;
  action: 'pulled' | 'reset';
  reason?: string;
  by?: string;
}

/**
 * Stop-the-line: whether a lane may take new signals and whether workers may pull its work.
 * A lane stops when someone pulls its andon cord (or the whole line's), or while its breaker is open.
 * Stopping throws nothing away: intake answers "retry later", workers stop pulling, and the queued work
 * waits. Once a probe is due, and while the breaker probes, intake takes signals again (an idle lane has
 * no other work to probe with) and only `halfOpenProbes` pulls may be out at once.
 */
export interface Line {
  /** Stops a lane, or the whole line when `lane` is omitted. Pulling a pulled cord updates its reason. */
  pullCord(request: { lane?: LaneName; reason: string; by?: string }): void;
  /** Restarts a lane, or the whole line when `lane` is omitted. */
  resetCord(request: { lane?: LaneName; by?: string }): void;
  intake(lane: LaneName): LaneAdmission;
  /** Workers ask before every pull; `undefined` means "not now". */
  acquirePull(lane: LaneName): PullPermit | undefined;
  snapshot(): LineSnapshot;
  readonly onChange: Event<LineEvent>;
}

export interface LineOptions {
  lanes: readonly LaneName[];
  /** A lane without one here (the API process of the distributed mode) is stopped by cords only. */
  laneBreakers: Partial<Record<LaneName, Breaker>>;
  /** Pulls allowed out at once while a lane's breaker is open-and-due or half-open. */
  halfOpenProbes: number;
  /**
   * Breakers every lane's work depends on (the database): while one is open and not yet due a probe, no lane
   * pulls, since each pull would only be put back and cost a delivery attempt.
   */
  sharedBreakers?: readonly Breaker[];
  clock?: Clock;
}

export function createLine(options: LineOptions): Line {
  const { lanes, laneBreakers, halfOpenProbes } = options;
  const sharedBreakers = options.sharedBreakers ?? [];
  const clock = options.clock ?? systemClock;
  const emitter = new EventEmitter<LineEvent>();
  const started = clock.now();
  /** The key `undefined` is the whole line's cord. */
  const cords = new Map<LaneName | undefined, Cord>([
    [undefined, { pulled: false, since: started }],
    ...lanes.map((lane): [LaneName, Cord] => [lane, { pulled: false, since: started }]),
  ]);
  const probePermits = new Map<LaneName, number>(lanes.map((lane) => [lane, 0]));

  const cordOf = (lane: LaneName | undefined): Cord => {
    const cord = cords.get(lane);
    if (cord === undefined) throw new RangeError(`unknown lane ${lane}; lanes are ${lanes.join(', ')}`);
    return cord;
  };

  /** Why a pulled cord stops this lane, if one does: the whole line's cord first. */
  const stopCause = (lane: LaneName): string | undefined => {
    for (const key of [undefined, lane]) {
      const cord = cordOf(key);
      if (cord.pulled) {
        const where = key === undefined ? ' for the whole line' : '';
        const by = cord.by === undefined ? '' : ` by ${cord.by}`;
        return `andon cord pulled${where}${by}: ${cord.reason ?? 'no reason given'}`;
      }
    }
    return undefined;
  };

  const takeProbePermit = (lane: LaneName): PullPermit | undefined => {
    const outstanding = probePermits.get(lane) ?? 0;
    if (outstanding >= halfOpenProbes) return undefined;
    probePermits.set(lane, outstanding + 1);
    let released = false;
    return {
      probe: true,
      release() {
        if (released) return;
        released = true;
        probePermits.set(lane, (probePermits.get(lane) ?? 1) - 1);
      },
    };
  };

  return {
    onChange: emitter.addListener,

    pullCord({ lane, reason, by }) {
      const before = cordOf(lane);
      const at = clock.now();
      cords.set(lane, defined({ pulled: true, reason, by, since: before.pulled ? before.since : at }));
      emitter.emit(defined({ at, lane, action: 'pulled' as const, reason, by }));
    },

    resetCord({ lane, by }) {
      if (!cordOf(lane).pulled) return;
      const at = clock.now();
      cords.set(lane, { pulled: false, since: at });
      emitter.emit(defined({ at, lane, action: 'reset' as const, by }));
    },

    intake(lane) {
      const cord = stopCause(lane);
      if (cord !== undefined) return { ok: false, cause: cord, retryAfterSeconds: CORD_RETRY_AFTER_SECONDS };
      const breaker = laneBreakers[lane];
      if (!breaker || breaker.state !== 'open' || breaker.probeDue()) return { ok: true };
      const snapshot = breaker.snapshot();
      const waitMs = snapshot.nextProbeAt === undefined ? 0 : snapshot.nextProbeAt - clock.now();
      const last = snapshot.lastFailure === undefined ? '' : `: ${snapshot.lastFailure}`;
      return {
        ok: false,
        cause: `breaker ${breaker.name} is ${breaker.state.replace('_', '-')}${last}`,
        retryAfterSeconds: Math.max(MIN_BREAKER_RETRY_AFTER_SECONDS, Math.ceil(waitMs / 1000)),
      };
    },

    acquirePull(lane) {
      if (stopCause(lane) !== undefined) return undefined;
      if (sharedBreakers.some((shared) => shared.state === 'open' && !shared.probeDue())) return undefined;
      const breaker = laneBreakers[lane];
      if (!breaker || breaker.state === 'closed') return { probe: false, release: () => undefined };
      if (breaker.state === 'open' && !breaker.probeDue()) return undefined;
      return takeProbePermit(lane);
    },

    snapshot() {
      return {
        line: { ...cordOf(undefined) },
        lanes: Object.fromEntries(lanes.map((lane) => [lane, { ...cordOf(lane) }])) as Record<LaneName, Cord>,
      };
    },
  };
}

/** Drops keys whose value is undefined, so snapshots and events carry only what is known. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

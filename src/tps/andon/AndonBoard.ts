import { EventEmitter, type Event } from '../../domain/disposable.js';
import { systemClock, type Clock } from '../clock.js';
import { worstLevel, type Level, type StationState } from './stations.js';

export interface Station extends StationState {
  /** Epoch ms since the station has shown its level; a new cause at the same level keeps it. */
  since: number;
}

export interface AndonEvent {
  at: number;
  station: string;
  /** Absent for a station seen for the first time and for recorded events. */
  from?: Level;
  to: Level;
  message: string;
}

/**
 * The andon board: the stations as they stand, and a bounded log of what changed.
 * A station's level change is an event; so is a station that first appears yellow or red.
 * Free events (a worker restarted, a fault injected) are recorded beside them.
 */
export interface AndonBoard {
  /** Takes the full set of stations as they stand now; returns the level changes it saw. */
  update(stations: StationState[]): AndonEvent[];
  record(event: { station: string; level: Level; message: string }): void;
  stations(): Station[];
  /** Newest first. */
  events(limit?: number): AndonEvent[];
  readonly onEvent: Event<AndonEvent>;
  /** The worst level on the board; green when it has no stations. */
  overall(): Level;
}

export interface AndonBoardOptions {
  clock?: Clock;
  /** Events kept in the log; older ones are dropped. */
  maxEvents?: number;
}

export const DEFAULT_MAX_ANDON_EVENTS = 200;

export function createAndonBoard(options: AndonBoardOptions = {}): AndonBoard {
  const clock = options.clock ?? systemClock;
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_ANDON_EVENTS;
  if (!Number.isInteger(maxEvents) || maxEvents < 1) {
    throw new RangeError(`maxEvents must be a whole number ≥ 1, got ${maxEvents}`);
  }
  const emitter = new EventEmitter<AndonEvent>();
  let board = new Map<string, Station>();
  /** Oldest first. */
  const log: AndonEvent[] = [];

  const publish = (event: AndonEvent): void => {
    log.push(event);
    if (log.length > maxEvents) log.splice(0, log.length - maxEvents);
    emitter.emit(event);
  };

  return {
    onEvent: emitter.addListener,

    update(stations) {
      const at = clock.now();
      const next = new Map<string, Station>();
      const changes: AndonEvent[] = [];
      for (const state of stations) {
        const previous = board.get(state.id);
        const changed = previous === undefined ? state.level !== 'green' : previous.level !== state.level;
        const keepSince = previous !== undefined && previous.level === state.level;
        next.set(state.id, { ...state, since: keepSince ? previous.since : at });
        if (changed) {
          changes.push({
            at,
            station: state.id,
            ...(previous === undefined ? {} : { from: previous.level }),
            to: state.level,
            message: state.cause,
          });
        }
      }
      board = next;
      changes.forEach(publish);
      return changes;
    },

    record({ station, level, message }) {
      publish({ at: clock.now(), station, to: level, message });
    },

    stations() {
      return [...board.values()].map((station) => ({ ...station }));
    },

    events(limit = log.length) {
      return log.slice(Math.max(0, log.length - limit)).reverse();
    },

    overall() {
      return worstLevel([...board.values()].map((station) => station.level));
    },
  };
}

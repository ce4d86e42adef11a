import { LANES, SIGNAL_TYPES, type LaneName, type SignalType } from '../../domain/signal.js';

export type Routes = Readonly<Record<SignalType, LaneName>>;

/** Short, interactive work on the fast lane; long, bulk work on the slow one, so a flood of it cannot starve the rest. */
export const DEFAULT_ROUTES: Routes = Object.freeze({
  execute: 'fast',
  validate: 'fast',
  notify: 'fast',
  report: 'slow',
  batch: 'slow',
  analyze: 'slow',
});

export interface Router {
  route(type: SignalType): LaneName;
  readonly routes: Routes;
}

export function createRouter(overrides: Partial<Record<SignalType, LaneName>> = {}): Router {
  const routes: Routes = Object.freeze({ ...DEFAULT_ROUTES, ...overrides });
  return { routes, route: (type) => routes[type] };
}

const isSignalType = (text: string): text is SignalType => (SIGNAL_TYPES as readonly string[]).includes(text);
const isLane = (text: string): text is LaneName => (LANES as readonly string[]).includes(text);

/** Reads routes written as `type=lane` pairs separated by commas, e.g. `execute=fast,report=slow`. */
export function parseRoutes(text: string): Partial<Record<SignalType, LaneName>> {
  const routes: Partial<Record<SignalType, LaneName>> = {};
  for (const part of text.split(',')) {
    const pair = part.trim();
    if (pair === '') continue;
    const [type = '', lane = '', ...rest] = pair.split('=').map((side) => side.trim());
    if (rest.length > 0 || !pair.includes('=')) {
      throw new Error(`Route "${pair}" is not of the form type=lane (e.g. execute=fast)`);
    }
    if (!isSignalType(type)) {
      throw new Error(
        `Route "${pair}" names an unknown signal type "${type}": it accepts ${SIGNAL_TYPES.join(', ')}`,
      );
    }
    if (!isLane(lane)) {
      throw new Error(`Route "${pair}" names an unknown lane "${lane}": it accepts ${LANES.join(', ')}`);
    }
    if (routes[type] !== undefined && routes[type] !== lane) {
      throw new Error(`Route "${pair}" contradicts an earlier route ${type}=${routes[type]}`);
    }
    routes[type] = lane;
  }
  return routes;
}

import type { LaneName } from '../../domain/signal.js';
import type { Cord, LineSnapshot } from './Line.js';

/** A cord as another process reports it: pulled or not, and why. */
export type RemoteCord = Pick<Cord, 'pulled' | 'reason' | 'by'>;
export interface RemoteCords {
  line: RemoteCord;
  lanes: Partial<Record<LaneName, RemoteCord>>;
}

export type CordChange =
  | { action: 'pull'; lane?: LaneName; reason: string; by: string }
  | { action: 'reset'; lane?: LaneName; by: string };

const SOURCE = 'the API';

/**
 * What a worker's line must do to show the cords pulled at the API: the line's cord and those of the lanes it
 * works. A cord pulled there is pulled here (with its reason, "by the API"); one reset there is reset here.
 */
export function cordChanges(
  remote: RemoteCords,
  local: LineSnapshot,
  lanes: readonly LaneName[],
): CordChange[] {
  const changes: CordChange[] = [];
  const mirror = (there: RemoteCord | undefined, here: Cord, lane?: LaneName): void => {
    const scope = lane === undefined ? {} : { lane };
    const by = `${SOURCE} (${there?.by ?? 'operator'})`;
    if (there?.pulled) {
      const reason = there.reason ?? 'pulled at the API';
      if (!here.pulled || here.reason !== reason) changes.push({ action: 'pull', ...scope, reason, by });
    } else if (here.pulled) {
      changes.push({ action: 'reset', ...scope, by });
    }
  };
  mirror(remote.line, local.line);
  for (const lane of lanes) mirror(remote.lanes[lane], local.lanes[lane], lane);
  return changes;
}

/** One pool as the shared budget sees it: its bounds and how many workers its work could use now. */
export interface PoolDemand {
  name: string;
  min: number;
  max: number;
  /** Workers busy plus signals waiting: how many workers the pool could keep busy right now. */
  demand: number;
}

/**
 * Heijunka's rebalancing: the most workers each pool may have while all pools share `budget` workers.
 * Every pool keeps its min; the spare workers go first to the pools whose work could use them (in proportion
 * to what each could use), and what nobody needs now is split evenly, so an idle pool can still grow while
 * the next decision is made. No ceiling is above its pool's max, and the ceilings never add up past the
 * budget, so a flood in one lane borrows capacity the other lane is not using and gives it back when asked.
 */
export function shareCapacity(pools: readonly PoolDemand[], budget: number): Record<string, number> {
  const floor = pools.reduce((sum, pool) => sum + pool.min, 0);
  if (budget < floor)
    throw new RangeError(`a budget of ${budget} workers is below the pools' mins (${floor})`);
  const room = (pool: PoolDemand) => Math.max(0, pool.max - pool.min);
  const ceilings: Record<string, number> = Object.fromEntries(pools.map((pool) => [pool.name, pool.min]));
  let spare = budget - floor;

  const wants = pools.map((pool) => Math.min(room(pool), Math.max(0, Math.ceil(pool.demand) - pool.min)));
  const wanted = wants.reduce((sum, want) => sum + want, 0);
  if (wanted > 0) {
    const granted = wants.map((want) => (wanted <= spare ? want : Math.floor((spare * want) / wanted)));
    // Rounding down leaves a few workers: they go to the pools short by the most, one at a time.
    let left = Math.min(spare, wanted) - granted.reduce((sum, n) => sum + n, 0);
    const byShortfall = pools
      .map((_, i) => i)
      .sort((a, b) => wants[b]! - granted[b]! - (wants[a]! - granted[a]!));
    for (const i of byShortfall) {
      if (left === 0) break;
      if (granted[i]! < wants[i]!) {
        granted[i]!++;
        left--;
      }
    }
    pools.forEach((pool, i) => (ceilings[pool.name]! += granted[i]!));
    spare -= granted.reduce((sum, n) => sum + n, 0);
  }

  // What nobody needs now, split evenly among the pools that can still grow.
  while (spare > 0) {
    const growing = pools.filter((pool) => ceilings[pool.name]! < pool.max);
    if (growing.length === 0) break;
    const each = Math.max(1, Math.floor(spare / growing.length));
    for (const pool of growing) {
      const add = Math.min(each, pool.max - ceilings[pool.name]!, spare);
      ceilings[pool.name]! += add;
      spare -= add;
      if (spare === 0) break;
    }
  }
  return ceilings;
}

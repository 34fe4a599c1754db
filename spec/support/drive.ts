/** Runs two sessions' non-blocking calls in turn until both finish. */
import { AGAIN, type Again } from '../../lib/session/contract.js';

export function driveBoth<A, B>(a: () => A | Again, b: () => B | Again, maxSteps = 1_000_000): [A, B] {
  let ra: A | Again = AGAIN;
  let rb: B | Again = AGAIN;
  for (let i = 0; i < maxSteps; i++) {
    if (ra === AGAIN) ra = a();
    if (rb === AGAIN) rb = b();
    if (ra !== AGAIN && rb !== AGAIN) return [ra, rb];
  }
  throw new Error(`no progress after ${maxSteps} steps`);
}

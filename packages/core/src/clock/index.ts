/**
 * Clock: the agent OS's only source of wall time.
 *
 * `realClock` reads the host (`Date.now`, `setTimeout`); `VirtualClock` moves
 * only when a test advances it, which makes time stamps, wall-time budgets and
 * timeouts deterministic.
 */

export { RealClock, VirtualClock, realClock } from './clock.ts';
export type { Clock } from './clock.ts';

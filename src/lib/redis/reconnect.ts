/**
 * Delay before the next reconnection attempt: exponential from 100 ms, capped at 2 s, so a
 * Redis that comes back is picked up within about two seconds and a dead one is not hammered.
 * Never gives up (returning null would stop ioredis reconnecting for good).
 */
export function reconnectDelayMs(attempt: number): number {
  const exponential = 100 * 2 ** Math.max(0, attempt - 1);
  return Math.min(exponential, 2000);
}

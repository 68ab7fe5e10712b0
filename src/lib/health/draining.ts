/**
 * Whether the process is draining for shutdown (readiness answers 503 from that moment). Kept on
 * globalThis: Next can load a module more than once (instrumentation and route bundles), and
 * the shutdown handler and the readiness route must see the same flag.
 */
const holder = globalThis as typeof globalThis & { __slipwayDraining?: { since: number } };

export function markDraining(): void {
  holder.__slipwayDraining ??= { since: Date.now() };
}

export function isDraining(): boolean {
  return holder.__slipwayDraining !== undefined;
}

import { LRUCache } from "lru-cache";
import { singleton } from "@/lib/singleton";

/**
 * Sessions the database refused (a revoked session, a user deleted or never known), remembered
 * for a minute by this instance: the same cookie again is signed out at once, without a database
 * transaction, so a flood of a revoked cookie costs a map lookup per request and meets the
 * anonymous rate limit. Only refusals are remembered, never acceptances: a session revoked
 * elsewhere is refused by the next verification, as before. Bounded in entries, so a flood of
 * distinct forged-but-signed cookies cannot grow it without end.
 */
const REMEMBER_MS = 60_000;
const MAX_ENTRIES = 10_000;

const rejected = singleton(
  "auth.rejected-sessions",
  () => new LRUCache<string, true>({ max: MAX_ENTRIES, ttl: REMEMBER_MS }),
);

export function rememberRejected(key: string): void {
  rejected.set(key, true);
}

export function wasRejected(key: string): boolean {
  return rejected.has(key);
}

import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { LRUCache } from "lru-cache";
import type { RequestContext } from "@/lib/observability";
import { rateLimitHeaders } from "@/lib/rate-limit";
import type { Refusal } from "./refusals";

/**
 * Caller limits the API route wrapper refused, remembered by the pipeline until they reset, so a
 * caller who keeps going past their limit is answered 429 before Next runs instead of after it.
 * Without this a flooding caller costs Next's routing and a handler per refused request, and a
 * second tenant's latency rises with the flood (issue 20, `npm run bench -- --only=neighbour`).
 *
 * The key is the request's exact credentials (Cookie and Authorization, hashed), its address and
 * whether it reads or writes: only a request identical in those to one the limiter refused is
 * answered from here, so nobody can get another caller refused, and a caller who varies them just
 * reaches the limiter, which stays the authority. Bounded in entries, each kept until its reset.
 */
const MAX_ENTRIES = 10_000;

/** A digest of what identifies a request's caller (its Cookie and Authorization headers), or undefined when it sends neither. */
export function callerCredentials(headers: IncomingHttpHeaders): string | undefined {
  if (headers.authorization === undefined && headers.cookie === undefined) return undefined;
  return createHash("sha256")
    .update(headers.authorization ?? "")
    .update("\n")
    .update(headers.cookie ?? "")
    .digest("base64url");
}
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

type CallerRefusal = NonNullable<RequestContext["callerRefused"]>;

export class RefusedCallers {
  private readonly refused = new LRUCache<string, { decision: CallerRefusal; until: number }>({ max: MAX_ENTRIES });

  constructor(private readonly now: () => number = Date.now) {}

  static keyOf(method: string, credentials: string | undefined, clientIp: string): string {
    return `${READS.has(method) ? "read" : "write"} ${clientIp} ${credentials ?? ""}`;
  }

  remember(key: string, decision: CallerRefusal): void {
    if (decision.resetSeconds <= 0) return;
    const until = this.now() + decision.resetSeconds * 1000;
    this.refused.set(key, { decision, until }, { ttl: decision.resetSeconds * 1000 });
  }

  /** The 429 a remembered refusal still stands for, with its time to reset counted down. */
  refusal(key: string): Refusal | undefined {
    const entry = this.refused.get(key);
    if (!entry) return undefined;
    const resetSeconds = Math.ceil((entry.until - this.now()) / 1000);
    if (resetSeconds <= 0) {
      this.refused.delete(key);
      return undefined;
    }
    return {
      status: 429,
      code: "rate_limited",
      message: `Too many requests. Try again in ${resetSeconds} seconds.`,
      headers: rateLimitHeaders({ ...entry.decision, allowed: false, remaining: 0, resetSeconds }),
      held: true,
    };
  }
}

import "server-only";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { getEnv, type ServerEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { getLogger } from "@/lib/logger";
import { getMetrics } from "@/lib/observability";
import { getRedis } from "@/lib/redis";
import { singleton } from "@/lib/singleton";

/**
 * Rate limits shared by every instance (ADR 0042): rate-limiter-flexible counting in Redis, so N+1
 * requests spread over any number of instances meet the same limit as on one. When Redis is down
 * (or not configured) each instance falls back to its own in-memory count: the limits hold per
 * instance, nothing fails, the switch is logged once and counted in
 * slipway_rate_limit_fallback_total. Fails open towards availability, never towards unlimited.
 */

export type RateLimitPolicy =
  | "sign-in"
  | "webhook"
  | "tunnel"
  | "csp-report"
  | "web-vitals"
  | "api-anonymous"
  | "api-read"
  | "api-write"
  | "api-tenant"
  | "server-action"
  | "page-post";

interface Limit {
  points: number;
  seconds: number;
}

/** The defaults, per caller (client IP, or user and tenant): generous for people, tight for scripts. */
const DEFAULTS: Record<RateLimitPolicy, Limit> = {
  "sign-in": { points: 10, seconds: 60 },
  webhook: { points: 300, seconds: 60 },
  tunnel: { points: 120, seconds: 60 },
  "csp-report": { points: 60, seconds: 60 },
  // A page view sends its Web Vitals once or twice (when the page is hidden); 60 is a fast reader's minute.
  "web-vitals": { points: 60, seconds: 60 },
  "api-anonymous": { points: 60, seconds: 60 },
  // Signed-in API reads, per user and tenant: a person's browsing never comes close; a loop does.
  "api-read": { points: 600, seconds: 60 },
  "api-write": { points: 120, seconds: 60 },
  // Every signed-in API request of a tenant, whoever makes it: one tenant cannot take the whole server from the others.
  "api-tenant": { points: 3000, seconds: 60 },
  "server-action": { points: 60, seconds: 60 },
  // Every form and server-action post to a page, per client address, counted before its body is read.
  "page-post": { points: 120, seconds: 60 },
};

const OVERRIDES: Record<RateLimitPolicy, keyof ServerEnv> = {
  "sign-in": "RATE_LIMIT_SIGN_IN",
  webhook: "RATE_LIMIT_WEBHOOK",
  tunnel: "RATE_LIMIT_TUNNEL",
  "csp-report": "RATE_LIMIT_TUNNEL",
  "web-vitals": "RATE_LIMIT_WEB_VITALS",
  "api-anonymous": "RATE_LIMIT_API_ANONYMOUS",
  "api-read": "RATE_LIMIT_API_READ",
  "api-write": "RATE_LIMIT_API_WRITE",
  "api-tenant": "RATE_LIMIT_API_TENANT",
  "server-action": "RATE_LIMIT_SERVER_ACTION",
  "page-post": "RATE_LIMIT_PAGE_POST",
};

export function limitOf(policy: RateLimitPolicy, env: Readonly<ServerEnv> = getEnv()): Limit {
  return (env[OVERRIDES[policy]] as Limit | undefined) ?? DEFAULTS[policy];
}

export interface RateLimitDecision {
  policy: RateLimitPolicy;
  allowed: boolean;
  limit: number;
  windowSeconds: number;
  remaining: number;
  /** Seconds until the window resets (and, when refused, until a retry can succeed). */
  resetSeconds: number;
}

/** A 429 with the decision, so responses carry Retry-After and the RateLimit headers. */
export class RateLimitedError extends AppError {
  constructor(readonly decision: RateLimitDecision) {
    super(429, "rate_limited", `Too many requests. Try again in ${decision.resetSeconds} seconds.`);
  }
}

const fallbackState = singleton("rate-limit.fallback", () => ({ active: false }));

/** The per-instance limiter Redis falls back to; every decision it takes is counted. */
class FallbackLimiter extends RateLimiterMemory {
  constructor(
    private readonly policy: RateLimitPolicy,
    limit: Limit,
  ) {
    super({ points: limit.points, duration: limit.seconds, keyPrefix: `fallback:${policy}` });
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>) {
    getMetrics().rateLimitFallback.inc({ policy: this.policy });
    if (!fallbackState.active) {
      fallbackState.active = true;
      getLogger().warn(
        { component: "rate-limit" },
        "rate limits are counted per instance: Redis is unavailable (each instance allows the full limit)",
      );
    }
    return super.consume(key, points, options);
  }
}

function createLimiter(policy: RateLimitPolicy): RateLimiterAbstract {
  const limit = limitOf(policy);
  const redis = getRedis();
  if (!redis) return new RateLimiterMemory({ points: limit.points, duration: limit.seconds, keyPrefix: policy });
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `slipway:rate:${policy}`,
    points: limit.points,
    duration: limit.seconds,
    // With Redis not ready, decide at once in memory instead of waiting on a dead connection.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new FallbackLimiter(policy, limit),
  });
}

const limiters = singleton("rate-limit.limiters", () => new Map<RateLimitPolicy, RateLimiterAbstract>());

function decisionOf(policy: RateLimitPolicy, result: RateLimiterRes, allowed: boolean): RateLimitDecision {
  const limit = limitOf(policy);
  return {
    policy,
    allowed,
    limit: limit.points,
    windowSeconds: limit.seconds,
    remaining: Math.max(0, result.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)),
  };
}

/**
 * Counts one request of `key` (a client IP, or a user and tenant) against `policy`. Resolves with
 * the decision when allowed; throws RateLimitedError (429) when the limit is reached.
 */
export async function consumeRateLimit(policy: RateLimitPolicy, key: string): Promise<RateLimitDecision> {
  let limiter = limiters.get(policy);
  if (!limiter) {
    limiter = createLimiter(policy);
    limiters.set(policy, limiter);
  }
  try {
    const result = await limiter.consume(key);
    if (fallbackState.active && getRedis()?.status === "ready") {
      fallbackState.active = false;
      getLogger().info({ component: "rate-limit" }, "rate limits are shared again: Redis is back");
    }
    return decisionOf(policy, result, true);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    getMetrics().rateLimitRejected.inc({ policy });
    throw new RateLimitedError(decisionOf(policy, error, false));
  }
}

/**
 * Retry-After plus the IETF RateLimit-Policy and RateLimit fields
 * (draft-ietf-httpapi-ratelimit-headers: `"name";q=LIMIT;w=WINDOW` and `"name";r=REMAINING;t=RESET`).
 */
export function rateLimitHeaders(
  decision: Omit<RateLimitDecision, "policy"> & { policy: string },
): Record<string, string> {
  return {
    "RateLimit-Policy": `"${decision.policy}";q=${decision.limit};w=${decision.windowSeconds}`,
    RateLimit: `"${decision.policy}";r=${decision.remaining};t=${decision.resetSeconds}`,
    ...(decision.allowed ? {} : { "Retry-After": String(decision.resetSeconds) }),
  };
}

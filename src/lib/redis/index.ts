import "server-only";
import Redis from "ioredis";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/logger";
import { onShutdown } from "@/lib/shutdown";
import { singleton } from "@/lib/singleton";
import { outsideRequests } from "@/lib/memory";

export type { Redis };

/**
 * Delay before the next reconnection attempt: exponential from 100 ms, capped at 2 s, so a
 * Redis that comes back is picked up within about two seconds and a dead one is not hammered.
 * Never gives up (returning null would stop ioredis reconnecting for good).
 */
export function reconnectDelayMs(attempt: number): number {
  const exponential = 100 * 2 ** Math.max(0, attempt - 1);
  return Math.min(exponential, 2000);
}

/** Connection and command timeouts: calls fail fast while Redis is down instead of queueing. */
const REDIS_CONNECT_TIMEOUT_MS = 2000;
const REDIS_COMMAND_TIMEOUT_MS = 1000;

const state = singleton(
  "redis",
  (): {
    client?: Redis;
    /** True while the last known state is connected, to log transitions rather than every error. */
    wasReady?: boolean;
  } => ({}),
);

/** Whether REDIS_URL is set. The app runs without Redis; features that need it degrade. */
export function isRedisConfigured(): boolean {
  return Boolean(getEnv().REDIS_URL);
}

function createClient(url: string): Redis {
  const client = new Redis(url, {
    // Nothing connects at import or during `next build`; the first getRedis() call connects.
    lazyConnect: true,
    // While disconnected, commands are rejected at once instead of waiting in a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: reconnectDelayMs,
    connectionName: "slipway",
  });
  const log = getLogger().child({ component: "redis" });
  client.on("ready", () => {
    if (!state.wasReady) log.info("redis connected");
    state.wasReady = true;
  });
  // An 'error' listener is required (ioredis prints unhandled ones); log the transition only.
  client.on("error", (error: NodeJS.ErrnoException) => {
    if (state.wasReady !== false) log.warn({ code: error.code }, "redis unavailable; reconnecting in the background");
    state.wasReady = false;
  });
  return client;
}

/**
 * The process-wide ioredis client, or undefined when REDIS_URL is not set. The first call starts
 * connecting in the background; commands fail fast until it is ready, and it reconnects by itself.
 */
export function getRedis(): Redis | undefined {
  const url = getEnv().REDIS_URL;
  if (!url) return undefined;
  if (!state.client) {
    // Outside the request that asked first: the connection (and each reconnect, scheduled from its
    // own events) outlives it (@/lib/memory).
    state.client = outsideRequests(() => {
      const client = createClient(url);
      client.connect().catch(() => {
        // Reported through the 'error' event; retryStrategy keeps trying.
      });
      return client;
    });
    onShutdown("redis", closeRedis, "connections");
  }
  return state.client;
}

/** Round trip to Redis (PING), bounded by the command timeout. Throws when Redis is unavailable. */
export async function pingRedis(): Promise<void> {
  const client = getRedis();
  if (!client) throw new Error("redis is not configured");
  if (client.status === "connecting" || client.status === "connect") {
    // First use: give the initial connection the connect timeout before declaring failure.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off("ready", done);
        client.off("error", done);
        resolve();
      };
      const timer = setTimeout(done, REDIS_CONNECT_TIMEOUT_MS);
      client.once("ready", done);
      client.once("error", done);
    });
  }
  const reply = await client.ping();
  if (reply !== "PONG") throw new Error("unexpected PING reply");
}

/** Closes the connection (QUIT when connected, else drops it). Safe to call more than once. */
async function closeRedis(): Promise<void> {
  const client = state.client;
  state.client = undefined;
  if (!client) return;
  if (client.status === "ready") {
    try {
      await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, REDIS_COMMAND_TIMEOUT_MS))]);
    } catch {
      // Falls through to disconnect.
    }
  }
  client.disconnect(false);
}

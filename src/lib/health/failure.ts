/**
 * A short, fixed reason for a failed dependency check. Only known codes map to text written here;
 * nothing from the error message is passed through, so no host, URL, user or password can leak
 * into a health response.
 */
const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ETIMEDOUT: "timed out",
  CONNECT_TIMEOUT: "timed out",
  HEALTH_CHECK_TIMEOUT: "timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "host unreachable",
  CONNECTION_CLOSED: "connection closed",
  CONNECTION_ENDED: "connection closed",
  CONNECTION_DESTROYED: "connection closed",
  // PostgreSQL SQLSTATEs
  "28P01": "authentication failed",
  "28000": "authentication failed",
  "3D000": "database does not exist",
  "57P01": "database shutting down",
  "57P02": "database shutting down",
  "57P03": "database starting up",
  "53300": "too many connections",
  "42P01": "table missing",
};

export function describeFailure(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === "string" && code in REASONS) return REASONS[code]!;
  const message = error instanceof Error ? error.message : "";
  // ioredis and postgres.js report some conditions only in the message; match, never copy it.
  if (/timed? ?out/i.test(message)) return "timed out";
  if (/enableOfflineQueue|Connection is closed|not connected/i.test(message)) return "not connected";
  return "unavailable";
}

/** Rejects with a HEALTH_CHECK_TIMEOUT error when the promise does not settle in time. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(Object.assign(new Error(`timed out after ${ms} ms`), { code: "HEALTH_CHECK_TIMEOUT" }));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The one way the platform scripts talk to an HTTP API: JSON in, JSON out, bounded in time, and an
 * error that says which call failed and what the platform answered (never the token).
 */

export class PlatformError extends Error {}

export interface JsonRequest {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  headers?: Record<string, string>;
  body?: unknown;
  /** What the call does, for the error message ("Render: deploy srv-123"). */
  what: string;
  /** Milliseconds before the call is abandoned. */
  timeoutMs?: number;
}

/** Calls `url`; resolves to the parsed JSON body (undefined when empty), throws PlatformError on non-2xx. */
export async function requestJson<T = unknown>(url: string, request: JsonRequest): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? "GET",
      headers: {
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new PlatformError(`${request.what}: no answer from ${new URL(url).origin} (${cause ?? String(error)})`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new PlatformError(`${request.what}: HTTP ${response.status} ${text.slice(0, 300)}`.trim());
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new PlatformError(`${request.what}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Polls `read` until `done` says so, at most `timeoutMs`; returns the last value read. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs: number; what: string },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) {
      throw new PlatformError(`${options.what}: not done after ${Math.round(options.timeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

import { elapsedMs, getRequestContext, type RequestContext } from "./request-context";

/** `db;dur=12.3, total;dur=45.6` (milliseconds since the request arrived). */
export function serverTiming(context: Pick<RequestContext, "dbMs" | "startedAt">, now?: bigint): string {
  const total = elapsedMs(context, now);
  return `db;dur=${context.dbMs.toFixed(1)}, total;dur=${total.toFixed(1)}`;
}

/** Adds Server-Timing to an API response (a copy when the response's headers are immutable). */
export function withServerTiming(response: Response): Response {
  const context = getRequestContext();
  if (!context) return response;
  const value = serverTiming(context);
  try {
    response.headers.set("server-timing", value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set("server-timing", value);
    return copy;
  }
}

/** Request ids: honour a sane incoming `x-request-id`, otherwise generate one. Pure. */

export const REQUEST_ID_HEADER = "x-request-id";

/** Up to 128 characters of letters, digits and `-_.:`: enough for UUIDs, ULIDs and proxy ids (Heroku, Render, Fly). */
const VALID_REQUEST_ID = /^[A-Za-z0-9\-_.:]{8,128}$/;

export function isValidRequestId(value: unknown): value is string {
  return typeof value === "string" && VALID_REQUEST_ID.test(value);
}

export function resolveRequestId(incoming: string | string[] | null | undefined, generate: () => string): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return isValidRequestId(value) ? value : generate();
}

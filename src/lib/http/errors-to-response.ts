import { ZodError } from "zod";
import { AppError, errorBody, InvalidInputError, ServiceUnavailableError } from "@/lib/errors";

/** Driver error codes that mean "the database is unreachable", not "the request is wrong". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // drizzle wraps driver errors in `cause`
  return errorCode((error as { cause?: unknown }).cause);
}

export function zodIssues(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

/** Maps any thrown value to a known AppError, or undefined when it is a bug (500). */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return new InvalidInputError("The request is invalid.", zodIssues(error));
  const code = errorCode(error);
  if (code && UNAVAILABLE_CODES.has(code)) return new ServiceUnavailableError();
  return undefined;
}

export function errorResponse(error: AppError, headers?: HeadersInit): Response {
  return Response.json(errorBody(error), { status: error.status, headers });
}

export const INTERNAL_ERROR_BODY = {
  error: { code: "internal_error", message: "Something went wrong on our side. It has been recorded." },
};

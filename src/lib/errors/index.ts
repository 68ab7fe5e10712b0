import { ZodError } from "zod";
import { AppError, InvalidInputError, ServiceUnavailableError } from "./app-errors";
import { fromPostgresError } from "./postgres";

// ServiceUnavailableError stays inside: dependency outages are mapped here (toAppError), not thrown by callers.
export {
  AppError,
  ClientClosedRequestError,
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from "./app-errors";
export { postgresErrorOf, refuseConstraint, retryableDatabaseError } from "./postgres";

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(error: AppError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
}

/**
 * Driver error codes that mean "the database is unreachable", not "the request is wrong"
 * (PostgreSQL's own codes are mapped in ./postgres.ts).
 */
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

/**
 * Maps any thrown value to a known AppError (an answer for the client: 4xx, or 409/503 with
 * Retry-After), or undefined when it is a bug (500). Route handlers and server actions both decide
 * with this.
 */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return new InvalidInputError("The request is invalid.", zodIssues(error));
  const database = fromPostgresError(error);
  if (database) return database;
  const code = errorCode(error);
  if (code && UNAVAILABLE_CODES.has(code)) return new ServiceUnavailableError();
  return undefined;
}

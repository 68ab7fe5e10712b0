import { ZodError } from "zod";

/**
 * Errors are values with a stable code. Route wrappers map each to its HTTP status and the JSON
 * shape `{ error: { code, message, details? } }`. Messages are for humans; codes are for clients.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends AppError {
  constructor(message = "The request is invalid.", details?: unknown) {
    super(400, "invalid_input", message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Sign in to continue.") {
    super(401, "unauthorized", message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You are not allowed to do this.", code = "forbidden") {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = "Not found.") {
    super(404, "not_found", message);
  }
}

export class ConflictError extends AppError {
  constructor(message = "This conflicts with existing data.", details?: unknown, code = "conflict") {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `The request body is larger than ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected = "application/json") {
    super(415, "unsupported_media_type", `The request body must be ${expected}.`);
  }
}

/**
 * The client closed its request before its body arrived: nobody is left to answer, and nothing
 * failed on our side (logged as a closed request, never reported).
 */
export class ClientClosedRequestError extends AppError {
  constructor(cause?: unknown) {
    super(499, "client_closed_request", "The client closed the request.");
    if (cause !== undefined) this.cause = cause;
  }
}

class ServiceUnavailableError extends AppError {
  constructor(message = "A service this request needs is unavailable. Try again shortly.") {
    super(503, "service_unavailable", message);
  }
}

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

/**
 * Maps any thrown value to a known AppError (an answer for the client, 4xx or 503), or undefined
 * when it is a bug (500). Route handlers and server actions both decide with this.
 */
export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return new InvalidInputError("The request is invalid.", zodIssues(error));
  const code = errorCode(error);
  if (code && UNAVAILABLE_CODES.has(code)) return new ServiceUnavailableError();
  return undefined;
}

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
    /** Seconds after which trying again may succeed (the Retry-After header of a 409 or 503). */
    readonly retryAfterSeconds?: number,
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
  constructor(message = "Not found.", code = "not_found") {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(
    message = "This conflicts with existing data.",
    details?: unknown,
    code = "conflict",
    retryAfterSeconds?: number,
  ) {
    super(409, code, message, details, retryAfterSeconds);
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

export class ServiceUnavailableError extends AppError {
  constructor(
    message = "A service this request needs is unavailable. Try again shortly.",
    code = "service_unavailable",
    retryAfterSeconds = 5,
  ) {
    super(503, code, message, undefined, retryAfterSeconds);
  }
}

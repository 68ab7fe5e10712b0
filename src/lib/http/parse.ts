import type { z } from "zod";
import {
  ClientClosedRequestError,
  InvalidInputError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  zodIssues,
} from "@/lib/errors";
import { getRequestContext } from "@/lib/observability";

/** The body limit of the request's route class (the route table, src/routes.ts); 16 KiB outside a request. */
function bodyLimit(): number {
  return getRequestContext()?.bodyLimitBytes ?? 16 * 1024;
}

function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(`The ${where} is invalid.`, zodIssues(result.error));
  return result.data;
}

/** Reads a JSON body: 415 for another content type, 413 past the route class's limit, 400 for malformed JSON or schema errors. */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.infer<S>> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(contentType)) throw new UnsupportedMediaTypeError();
  const buffer = await readBody(request);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(buffer));
  } catch {
    throw new InvalidInputError("The request body is not valid JSON.");
  }
  return validate(schema, value, "request body");
}

/**
 * The request body, at most the route class's limit (the route table): refused (413) from its
 * Content-Length before anything is read (the server's pipeline already did), and while streaming
 * when the header is absent or lies, so an anonymous caller cannot make the server hold more than
 * the limit per request. A client that goes away mid-body is a closed request (499), not an outage.
 */
export async function readBody(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  const maxBytes = bodyLimit();
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch (error) {
      throw new ClientClosedRequestError(error);
    }
    const { done, value } = read;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  // The stream ends early, without an error, when the client closes the connection mid-body.
  if (declared > 0 && total < declared) throw new ClientClosedRequestError();
  const buffer = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    buffer.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return buffer;
}

export function parseQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params = new URL(request.url).searchParams;
  return validate(schema, Object.fromEntries(params.entries()), "query string");
}

export function parseParams<S extends z.ZodType>(params: unknown, schema: S): z.infer<S> {
  return validate(schema, params, "path");
}

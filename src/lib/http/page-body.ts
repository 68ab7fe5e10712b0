import type { IncomingHttpHeaders } from "node:http";
import { formActionProblem, replyProblem } from "./action-payload";
import type { Refusal } from "./refusals";

/**
 * The body of a page post (a server action called by React, or a form posted without JavaScript),
 * checked as Next and React will decode it: Next answers a body it cannot parse, or a payload React
 * refuses, with a 500 and an error log (action-handler.js), so such bodies are refused here with a
 * 400 first. Multipart is parsed as Next parses it (undici's FormData); the payload as React
 * decodes it (./action-payload.ts).
 */

const INVALID: Refusal = {
  status: 400,
  code: "invalid_body",
  message: "The request body is not a valid form or server action payload.",
};

async function multipartParts(contentType: string, body: Buffer): Promise<Map<string, string | Blob> | undefined> {
  try {
    const form = await new Response(new Uint8Array(body), { headers: { "content-type": contentType } }).formData();
    const parts = new Map<string, string | Blob>();
    for (const [key, value] of form) parts.set(key, value);
    return parts;
  } catch {
    return undefined;
  }
}

/** Undefined when Next can decode `body`; else the 400 to answer. */
export async function pageBodyRefusal(headers: IncomingHttpHeaders, body: Buffer): Promise<Refusal | undefined> {
  const contentType = String(headers["content-type"] ?? "");
  const calledByReact = headers["next-action"] !== undefined;
  if (contentType.toLowerCase().startsWith("multipart/form-data")) {
    const parts = await multipartParts(contentType, body);
    if (!parts) return INVALID;
    return (calledByReact ? replyProblem(parts) : formActionProblem(parts)) ? INVALID : undefined;
  }
  if (!calledByReact) return undefined;
  // A server action called with simple arguments: React encodes them as one JSON text.
  return replyProblem(new Map([["0", body.toString("utf8")]])) ? INVALID : undefined;
}

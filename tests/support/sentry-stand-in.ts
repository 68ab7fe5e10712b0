import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A real local HTTP server standing in for Sentry: accepts envelopes on
 * POST /api/<project>/envelope/ and keeps them for assertions. DSN: http://public@127.0.0.1:PORT/1.
 */

export interface EnvelopeItem {
  header: { type?: string; [key: string]: unknown };
  payload: unknown;
}

export interface ReceivedEnvelope {
  path: string;
  headers: IncomingMessage["headers"];
  /** The raw envelope text, for "this value appears nowhere" assertions. */
  raw: string;
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

export interface SentryStandIn {
  dsn: string;
  url: string;
  envelopes: ReceivedEnvelope[];
  /** Every item of the given type (event, transaction, …) received so far. */
  items: (type: string) => EnvelopeItem[];
  /** Every request at all (any path), to prove that nothing was sent. */
  requests: { method: string; path: string }[];
  waitFor: <T>(find: () => T | undefined, timeoutMs?: number) => Promise<T>;
  stop: () => Promise<void>;
}

function parseEnvelope(body: Buffer): { header: Record<string, unknown>; items: EnvelopeItem[] } {
  let offset = 0;
  const readLine = (): Buffer => {
    const end = body.indexOf(10, offset);
    const line = body.subarray(offset, end === -1 ? body.length : end);
    offset = end === -1 ? body.length : end + 1;
    return line;
  };
  const header = JSON.parse(readLine().toString() || "{}") as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (offset < body.length) {
    const headerLine = readLine().toString();
    if (!headerLine.trim()) continue;
    const itemHeader = JSON.parse(headerLine) as EnvelopeItem["header"];
    let payload: Buffer;
    if (typeof itemHeader.length === "number") {
      payload = body.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length + 1;
    } else {
      payload = readLine();
    }
    let parsed: unknown = payload.toString();
    try {
      parsed = JSON.parse(payload.toString());
    } catch {
      // binary payloads (replay recordings) stay as text
    }
    items.push({ header: itemHeader, payload: parsed });
  }
  return { header, items };
}

export async function startSentryStandIn(): Promise<SentryStandIn> {
  const envelopes: ReceivedEnvelope[] = [];
  const requests: { method: string; path: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", path: request.url ?? "" });
      let body = Buffer.concat(chunks);
      if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      if (request.method === "POST" && /^\/api\/\d+\/envelope\/?/.test(request.url ?? "")) {
        try {
          envelopes.push({
            path: request.url ?? "",
            headers: request.headers,
            raw: body.toString(),
            ...parseEnvelope(body),
          });
        } catch (error) {
          envelopes.push({
            path: request.url ?? "",
            headers: request.headers,
            raw: body.toString(),
            header: { parseError: String(error) },
            items: [],
          });
        }
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const items = (type: string) =>
    envelopes.flatMap((envelope) => envelope.items.filter((item) => item.header.type === type));
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    url: `http://127.0.0.1:${port}`,
    envelopes,
    requests,
    items,
    waitFor: async (find, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline)
          throw new Error(`nothing matching arrived at the Sentry stand-in within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

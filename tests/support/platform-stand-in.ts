import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";

/**
 * What the platform stand-ins (tests/support/{fly,railway,render}-stand-in.ts) share: one loopback
 * HTTP server per stand-in that records every API call in order, a timeline of what the "platform"
 * did (a migration ran, traffic moved), and the deployed apps themselves: each release the platform
 * put live answers under http://127.0.0.1:PORT/domains/<its domain>/ the way the real app does
 * (/api/health names the image's tag as its commit, /health/ready is 200) unless a test made its
 * image misbehave. The scripts reach those apps through PUBLIC_URL_TEMPLATE.
 */

export interface RecordedCall {
  seq: number;
  method: string;
  path: string;
  body: unknown;
  /** GraphQL: the operation's field (serviceInstanceUpdate, ...). */
  operation?: string;
}

/** What the platform did, in order: a release command ran, traffic moved, a deploy failed. */
export interface TimelineEvent {
  seq: number;
  kind: "migrate" | "traffic" | "failed";
  /** The platform, environment and service or process group. */
  where: string;
  image: string;
  /** migrate: the command that ran. */
  command?: string[];
  /** failed: why. */
  reason?: string;
}

/** How a release image behaves once a platform runs it (tests make some images misbehave). */
export class ImageBehaviour {
  /** Its migrator exits 1. */
  readonly failsMigration = new Set<string>();
  /** Never ready: the platform's own health check fails, the deploy fails. */
  readonly neverReady = new Set<string>();
  /** Ready while the platform deploys it, then /health/ready answers 503: only the gate sees it. */
  readonly failsGate = new Set<string>();

  /** The paths a process of this image serves and how each answers, after it went live. */
  answers(image: string, path: string): number {
    if (!["/health/live", "/health/ready", "/api/health"].includes(path)) return 404;
    if (path === "/health/ready" && (this.neverReady.has(image) || this.failsGate.has(image))) return 503;
    return 200;
  }

  /** Whether the platform's health check on `path` passes while it deploys `image`. */
  passesHealthCheck(image: string, path: string | null | undefined): boolean {
    if (!path) return !this.neverReady.has(image);
    if (!["/health/live", "/health/ready", "/api/health"].includes(path)) return false;
    return !this.neverReady.has(image);
  }
}

export const tagOf = (image: string) => image.slice(image.lastIndexOf(":") + 1);

export interface StandInServer {
  url: string;
  calls: RecordedCall[];
  timeline: TimelineEvent[];
  images: ImageBehaviour;
  /** PUBLIC_URL_TEMPLATE for the scripts: the deployed apps, on this server. */
  publicUrlTemplate: string;
  /** The public URL of a deployed app. */
  urlOf: (domain: string) => string;
  record: (event: Omit<TimelineEvent, "seq">) => void;
  stop: () => Promise<void>;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export interface ApiAnswer {
  status: number;
  body?: unknown;
  /** Recorded with the call (GraphQL operation name). */
  operation?: string;
}

/**
 * Starts a stand-in: `api` answers the platform's API, `serving(domain)` says which image serves
 * a domain now (undefined: nothing deployed there).
 */
export async function startStandInServer(
  api: (request: ApiRequest) => ApiAnswer | Promise<ApiAnswer>,
  serving: (domain: string) => string | undefined,
): Promise<StandInServer> {
  const calls: RecordedCall[] = [];
  const timeline: TimelineEvent[] = [];
  const images = new ImageBehaviour();
  let seq = 0;

  const reply = (response: ServerResponse, status: number, body?: unknown) => {
    response.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const url = new URL(request.url ?? "/", "http://stand-in");
      const app = /^\/domains\/([^/]+)(\/.*)$/.exec(url.pathname);
      if (app) {
        const image = serving(decodeURIComponent(app[1]!));
        if (!image) return reply(response, 502, { error: "no release serves this domain" });
        const status = images.answers(image, app[2]!);
        if (app[2] === "/api/health")
          return reply(response, status, { status: status === 200 ? "healthy" : "unhealthy", commit: tagOf(image) });
        return reply(response, status, { status: status === 200 ? "ok" : "unavailable" });
      }
      const text = Buffer.concat(chunks).toString();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return reply(response, 400, { error: "the body is not JSON" });
      }
      const call: RecordedCall = { seq: ++seq, method: request.method ?? "GET", path: url.pathname + url.search, body };
      calls.push(call);
      try {
        const answer = await api({
          method: call.method,
          path: url.pathname,
          query: url.searchParams,
          headers: request.headers,
          body,
        });
        if (answer.operation) call.operation = answer.operation;
        reply(response, answer.status, answer.body);
      } catch (error) {
        reply(response, 500, { error: String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    calls,
    timeline,
    images,
    publicUrlTemplate: `${base}/domains/{domain}`,
    urlOf: (domain) => `${base}/domains/${domain}`,
    record: (event) => timeline.push({ ...event, seq: ++seq }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SCHEMAS = path.join(import.meta.dirname, "platform-schemas");

/** A JSON Schema file of tests/support/platform-schemas, one validator per definition. */
export function schemaValidators(file: string): (definition: string) => ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS, file), "utf8"));
  ajv.addSchema(schema);
  const compiled = new Map<string, ValidateFunction>();
  return (definition) => {
    if (!compiled.has(definition)) compiled.set(definition, ajv.getSchema(`${schema.$id}#/definitions/${definition}`)!);
    return compiled.get(definition)!;
  };
}

/** The schema errors of `value` against `definition`, as lines ([] when valid). */
export function schemaErrors(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message}`);
}

export const readSchemaFile = (file: string) => readFileSync(path.join(SCHEMAS, file), "utf8");

import { randomBytes } from "node:crypto";
import { Agent, get as httpGet } from "node:http";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { expect } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../../scripts/embedded-postgres";
import { migrateDatabase } from "../../support/migrate";

/** A fresh, migrated database on an existing cluster, so a test sees only its own connections. */
export async function createDatabase(adminUrl: string): Promise<{ url: string; name: string }> {
  const name = `slipway_health_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return { url: url.toString(), name };
}

/** Server-side connections the app (application_name "slipway") holds to `database`. */
export async function appConnections(adminUrl: string, database: string): Promise<number> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin<{ count: number }[]>`
      SELECT count(*)::int AS count FROM pg_stat_activity
      WHERE datname = ${database} AND application_name = 'slipway'`;
    return row!.count;
  } finally {
    await admin.end();
  }
}

/**
 * A throwaway cluster whose server log the test can read, with every statement logged for
 * `database`: counting health-check statements from PostgreSQL's side, not the app's.
 */
export async function startLoggedPostgres(): Promise<EmbeddedPostgresHandle & { log: () => string }> {
  let output = "";
  const dataDir = path.join(tmpdir(), `slipway-test-pg-${randomBytes(6).toString("hex")}`);
  const cluster = await startEmbeddedPostgres({
    dataDir,
    persistent: false,
    onLog: (message) => {
      output += message;
    },
  });
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`ALTER DATABASE ${cluster.database} SET log_statement = 'all'`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(cluster.url);
  return { ...cluster, log: () => output };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface ProbeResult {
  status: number;
  body: string;
  headers: Headers;
  ms: number;
}

export async function probe(url: string, init?: RequestInit): Promise<ProbeResult> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  return { status: response.status, body, headers: response.headers, ms: performance.now() - started };
}

/** Polls until `accept` holds; resolves with the result and how long it took, or throws. */
export async function pollUntil(
  url: string,
  accept: (result: ProbeResult) => boolean,
  withinMs: number,
  init?: RequestInit,
): Promise<ProbeResult & { afterMs: number }> {
  const started = performance.now();
  let last: ProbeResult | Error | undefined;
  while (performance.now() - started < withinMs + 2000) {
    try {
      last = await probe(url, init);
      if (accept(last)) return { ...last, afterMs: performance.now() - started };
    } catch (error) {
      last = error as Error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `condition not met for ${url}; last: ${last instanceof Error ? last.message : last?.status + " " + last?.body}`,
  );
}

/** Asserts a health response body gives nothing away about the dependencies. */
export function expectSanitized(body: string, secrets: { databaseUrl: string; redisUrl?: string }): void {
  const forbidden = new Set<string>(["postgres://", "postgresql://", "redis://", "password", "    at "]);
  for (const raw of [secrets.databaseUrl, secrets.redisUrl]) {
    if (!raw) continue;
    const url = new URL(raw);
    forbidden.add(raw);
    forbidden.add(url.hostname);
    forbidden.add(`:${url.port}`);
    if (url.password) forbidden.add(url.password);
    if (url.username) forbidden.add(url.username);
  }
  for (const value of forbidden) expect(body, `body must not contain ${JSON.stringify(value)}`).not.toContain(value);
}

export interface LoadRecord {
  path: string;
  /** When the request was handed to the client. */
  startedAt: number;
  /** When the request had been written to the connection; undefined if it never was. */
  sentAt?: number;
  doneAt: number;
  status?: number;
  error?: string;
  /** Sent on a kept-alive connection that had carried earlier requests. */
  reusedSocket?: boolean;
}

/** One GET over a keep-alive agent, timed from when it was actually written to the socket. */
function timedGet(agent: Agent, url: string, init?: { headers?: Record<string, string> }): Promise<LoadRecord> {
  const record: LoadRecord = { path: new URL(url).pathname, startedAt: performance.now(), doneAt: 0 };
  return new Promise((resolve) => {
    const done = (fields: Partial<LoadRecord>) => resolve({ ...record, ...fields, doneAt: performance.now() });
    const request = httpGet(url, { agent, headers: init?.headers, timeout: 15_000 }, (response) => {
      response.resume();
      response.on("end", () => done({ status: response.statusCode }));
      response.on("error", (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    });
    request.on("finish", () => {
      record.sentAt = performance.now();
      record.reusedSocket = request.reusedSocket;
    });
    request.on("timeout", () => request.destroy(new Error("client timeout")));
    request.on("error", (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
  });
}

/**
 * `clients` concurrent loops per path, each sending one request after another (keep-alive, as a
 * load balancer or browser would) until stop() is called. Every request is recorded with when it
 * was written to the wire and how it ended.
 */
export function startLoad(
  baseUrl: string,
  paths: string[],
  clients: number,
  init?: { headers?: Record<string, string> },
) {
  const records: LoadRecord[] = [];
  // fifo: every pooled connection is reused in turn, so none sits idle into the server's
  // keep-alive timeout (a client-side race unrelated to shutdown).
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: "fifo" });
  let running = true;
  const loop = async (requestPath: string) => {
    while (running) {
      const record = await timedGet(agent, baseUrl + requestPath, init);
      records.push(record);
      if (record.error) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const loops = paths.flatMap((requestPath) => Array.from({ length: clients }, () => loop(requestPath)));
  return {
    records,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

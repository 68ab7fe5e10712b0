import { randomBytes } from "node:crypto";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { startStandaloneServer, type StandaloneServer } from "./standalone-server";

/**
 * The production server in local auth mode, with a session secret the test can sign cookies with
 * (and any other settings in `env`).
 */
export async function startProjectsServer(options: {
  dir: string;
  databaseUrl: string;
  env?: Record<string, string>;
}): Promise<{
  server: StandaloneServer;
  cookieFor: (userId: string, tenantId?: string) => Promise<string>;
  /** The server's SESSION_SECRET (tests sign invitation links with it). */
  secret: string;
}> {
  const secret = randomBytes(32).toString("hex");
  const server = await startStandaloneServer({
    dir: options.dir,
    env: { DATABASE_URL: options.databaseUrl, SESSION_SECRET: secret, AUTH_MODE: "local", ...options.env },
    readyPath: "/",
  });
  return {
    server,
    secret,
    cookieFor: async (userId, tenantId) =>
      `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken({ userId, tenantId }, secret)}`,
  };
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch + JSON (body is null for empty responses, the raw text when it is not JSON). */
export async function call<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  base: string,
  path: string,
  init: RequestInit & { cookie?: string; json?: unknown } = {},
): Promise<ApiResponse<T>> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("cookie", init.cookie);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  const response = await fetch(base + path, { ...init, headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

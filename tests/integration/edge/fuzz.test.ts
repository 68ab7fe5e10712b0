import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import { formsIn } from "../../support/forms";
import { migrateDatabase } from "../../support/migrate";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createEmptyDatabase, createTenant, type TenantFixture } from "../../support/tenants";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";

/**
 * Fuzzing the production server (issue 14): several hundred malformed requests (methods, paths,
 * percent-encodings, queries, cursors, headers, cookies, bodies, server-action calls, raw HTTP) to
 * every route and every server action, generated from a fixed seed so a failure replays exactly.
 * Client input must never be answered with a 5xx, never show a stack trace, and never make the
 * server log at error level (an error log or Sentry event that anyone can trigger is a finding).
 *
 * Issue 19's classes are here too: cross-origin page posts (403 before Next), action payloads React
 * would refuse (400), generated React Flight references, `*` and absolute-form targets, /_next/image.
 *
 * Framework-level answers that are Node's or Next's, not ours (documented here, none is a 5xx):
 * Node's HTTP parser answers a malformed request line or header with 400 and closes; an oversize
 * header block is 431.
 */

const SESSION_SECRET = randomBytes(32).toString("hex");
const METRICS_TOKEN = "fuzz-metrics-token-0123456789abcdef";
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString("base64")}`;
/** The seed of every generated request: change it to explore, keep it to replay. */
const SEED = 0x5eed_2026;
const GENERATED = 420;
const HUGE_LIMIT = "1000000/60";

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

interface Answer {
  request: FuzzRequest;
  status: number;
  body: string;
}

let server: StandaloneServer;
let dropDatabase: () => Promise<void>;
let tenant: TenantFixture;
let adminCookie: string;
let memberCookie: string;
/** Server actions found on the pages, by the form they come from. */
const actionIds = new Map<string, string>();
/** The forms those actions come from, as a browser without JavaScript would post them. */
const actionForms: { page: string; fields: [string, string][] }[] = [];
const admin = adminSql(inject("databaseUrl"));

beforeAll(async () => {
  const database = await createEmptyDatabase(admin, inject("databaseUrl"));
  dropDatabase = database.drop;
  await migrateDatabase(database.url);
  await seedDatabase(database.url);
  const sql = adminSql(database.url);
  tenant = await createTenant(sql, { projects: ["Fuzzed"] });
  await sql.end();
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: database.url,
      SESSION_SECRET,
      METRICS_TOKEN,
      CLERK_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: "warn",
      // Input handling is under test here, not the limits (tests/integration/edge/abuse.test.ts).
      RATE_LIMIT_SIGN_IN: HUGE_LIMIT,
      RATE_LIMIT_API_ANONYMOUS: HUGE_LIMIT,
      RATE_LIMIT_API_WRITE: HUGE_LIMIT,
      RATE_LIMIT_API_READ: HUGE_LIMIT,
      RATE_LIMIT_API_TENANT: HUGE_LIMIT,
      RATE_LIMIT_SERVER_ACTION: HUGE_LIMIT,
      RATE_LIMIT_PAGE_POST: HUGE_LIMIT,
      RATE_LIMIT_WEBHOOK: HUGE_LIMIT,
      RATE_LIMIT_TUNNEL: HUGE_LIMIT,
      NEXT_PUBLIC_SENTRY_DSN: "http://public@127.0.0.1:9/1",
    },
  });
  adminCookie = await cookieOf(tenant.adminId, tenant.tenantId);
  memberCookie = await cookieOf(tenant.memberId, tenant.tenantId);
  const projectId = tenant.projectIds[0]!;
  for (const page of [
    "/sign-in",
    "/projects/new",
    `/projects/${projectId}`,
    `/projects/${projectId}/delete`,
    "/members",
  ]) {
    const html = await (await fetch(server.url + page, { headers: { cookie: adminCookie } })).text();
    for (const [index, form] of formsIn(html).entries()) {
      const id = actionIdOf(form.fields);
      if (!id) continue;
      actionIds.set(`${page} form ${index} (${form.text.slice(0, 40)})`, id);
      actionForms.push({ page, fields: form.fields });
    }
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await dropDatabase?.();
  await admin.end();
});

/**
 * A form's server action id: `$ACTION_ID_<id>` for a plain action, or the id inside the
 * `$ACTION_<n>:0` reference React writes for an action bound to state (useActionState).
 */
function actionIdOf(fields: [string, string][]): string | undefined {
  for (const [name, value] of fields) {
    if (name.startsWith("$ACTION_ID_")) return name.slice("$ACTION_ID_".length);
    if (/^\$ACTION_\d+:0$/.test(name)) return (JSON.parse(value) as { id?: string }).id;
  }
  return undefined;
}

async function cookieOf(userId: string, tenantId?: string): Promise<string> {
  return `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken({ userId, tenantId }, SESSION_SECRET)}`;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const NOT_A_UUID = ["not-a-uuid", "%E0%A4%A", "%", "%00", "..%2F..%2Fetc%2Fpasswd", "x.png", "x.css", "%F0%9F%98%80"];
const QUERIES = [
  "",
  "?cursor=garbage",
  "?cursor=%ZZ",
  `?cursor=${Buffer.from('{"t":"2026-02-30T10:00:00Z","i":"x"}').toString("base64url")}`,
  `?cursor=${Buffer.from("[1,2,3]").toString("base64url")}`,
  `?cursor=${Buffer.from('{"t":1e400,"i":null}').toString("base64url")}`,
  "?limit=-1",
  "?limit=abc",
  "?limit=1e400",
  "?limit=99999999999999999999",
  "?limit=1&limit=2",
  "?limit[]=1",
  "?__proto__[x]=1",
  "?created=%00",
  `?q=${"a".repeat(4000)}`,
];
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO"];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-16",
  "text/plain;charset=UTF-8",
  "multipart/form-data",
  "multipart/form-data; boundary=fuzz",
  "application/x-www-form-urlencoded",
  "application/reports+json",
  "application/csp-report",
  "////",
];
const BODIES: (() => Buffer | string)[] = [
  () => "",
  () => "{",
  () => "null",
  () => "[]",
  () => '{"name":1,"description":[]}',
  () => '{"name":"a\\u0000b","description":"\\u0000"}',
  () => `{"name":"${"a".repeat(70_000)}"}`,
  () => Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0xc3]),
  () => `${"[".repeat(30_000)}${"]".repeat(30_000)}`,
  () => '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}',
  () => '--fuzz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--fuzz', // truncated multipart
  () => "name=%E0%A4%A&description=%00",
  () => '["$K1","$@0","$Q2",{"$F":1}]',
  () => '{"type":"organization.created","data":{"id":"org_\\u0000","name":"\\u0000"}}',
];
const COOKIES = [
  undefined,
  "admin",
  "member",
  `${LOCAL_SESSION_COOKIE}=%%%`,
  `${LOCAL_SESSION_COOKIE}=${"a".repeat(3000)}`,
  `${LOCAL_SESSION_COOKIE}=eyJhbGciOiJub25lIn0.eyJ1c2VySWQiOiJ4In0.`, // alg "none"
  "__session=garbage; __client_uat=abc",
];
const EXTRA_HEADERS: Record<string, string>[] = [
  {},
  { rsc: "1" },
  { rsc: "1", "next-router-state-tree": "%7Bnot%20json" },
  { rsc: "1", "next-router-prefetch": "1", "next-router-segment-prefetch": "/garbage" },
  { "next-action": "0".repeat(42) },
  { "next-action": "'; drop table projects; --" },
  { "x-forwarded-for": "not an address, ::ffff:999.1.1.1" },
  { "x-forwarded-host": "evil.example", "x-forwarded-proto": "gopher" },
  { accept: "*/*;q=abc", "accept-encoding": "gzip;q=2, br;q=-1" },
  { "svix-id": "msg_x", "svix-timestamp": "not-a-number", "svix-signature": "v1,%%%" },
  { authorization: "Bearer " + "x".repeat(2000) },
  { origin: "null" },
  { range: "bytes=999999999-1" },
  { "if-none-match": '"' + "x".repeat(1000) + '"' },
];

/** Every route and page, with the dynamic segments filled in. */
function targets(projectId: string): string[] {
  return [
    "/",
    "/sign-in",
    "/sign-in/extra/segments",
    "/sign-up",
    "/select-organization",
    "/projects",
    "/projects/new",
    `/projects/${projectId}`,
    `/projects/${projectId}/delete`,
    "/members",
    "/status",
    "/runtime-config.js",
    "/api/health",
    "/health/live",
    "/health/ready",
    "/api/metrics",
    "/api/v1/me",
    "/api/v1/projects",
    `/api/v1/projects/${projectId}`,
    "/api/webhooks/clerk",
    "/api/csp-report",
    "/monitoring",
    "/no-such-page",
    ...NOT_A_UUID.flatMap((id) => [`/projects/${id}`, `/projects/${id}/delete`, `/api/v1/projects/${id}`]),
  ];
}

function generate(count: number): FuzzRequest[] {
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const paths = targets(tenant.projectIds[0]!);
  const actions = [...actionIds.values()];
  const requests: FuzzRequest[] = [];
  for (let index = 0; index < count; index++) {
    const method = pick(METHODS);
    const headers: Record<string, string> = { ...pick(EXTRA_HEADERS) };
    const cookie = pick(COOKIES);
    if (cookie === "admin") headers.cookie = adminCookie;
    else if (cookie === "member") headers.cookie = memberCookie;
    else if (cookie) headers.cookie = cookie;
    let body: Buffer | string | undefined;
    if (!["GET", "HEAD", "TRACE"].includes(method)) {
      body = pick(BODIES)();
      headers["content-type"] = pick(CONTENT_TYPES);
    }
    // A quarter of the posts call a real server action with a malformed payload.
    if (method === "POST" && actions.length && random() < 0.25) {
      headers["next-action"] = pick(actions);
      headers.origin = server.url;
    }
    requests.push({ method, path: pick(paths) + pick(QUERIES), headers, body });
  }
  return requests;
}

/** Server actions called the way React calls them, and posted as forms, with broken payloads. */
function serverActionRequests(): FuzzRequest[] {
  const requests: FuzzRequest[] = [];
  const projectId = tenant.projectIds[0]!;
  for (const id of actionIds.values()) {
    for (const page of ["/projects/new", `/projects/${projectId}`, "/members", "/sign-in"]) {
      for (const cookie of [adminCookie, memberCookie, undefined]) {
        const headers = { "next-action": id, origin: server.url, ...(cookie ? { cookie } : {}) };
        requests.push(
          {
            method: "POST",
            path: page,
            headers: { ...headers, "content-type": "text/plain;charset=UTF-8" },
            body: "[",
          },
          {
            method: "POST",
            path: page,
            headers: { ...headers, "content-type": "text/plain;charset=UTF-8" },
            body: '[{"name":"\\u0000","role":"owner","projectId":"x","tenantId":"%"}]',
          },
        );
      }
    }
  }
  // Each form as a browser without JavaScript posts it (multipart, the action's reference fields
  // kept), with its own fields replaced by NUL bytes, over-long text and values of the wrong kind.
  const mangled = ["\u0000", "x".repeat(5000), "-1", "%", "null", "../../etc/passwd"];
  for (const form of actionForms) {
    for (const [index, value] of mangled.entries()) {
      for (const cookie of [adminCookie, memberCookie, undefined]) {
        const body = form.fields
          .map(([name, original]) => {
            const sent = name.startsWith("$ACTION") ? original : value;
            return `--fuzz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${sent}\r\n`;
          })
          .join("");
        requests.push({
          method: "POST",
          path: index % 2 ? form.page : "/projects/new",
          headers: {
            origin: server.url,
            "content-type": "multipart/form-data; boundary=fuzz",
            ...(cookie ? { cookie } : {}),
          },
          body: `${body}--fuzz--\r\n`,
        });
      }
    }
  }
  return requests;
}

function send(request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method: request.method, path: request.path, headers: request.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ request, status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    outgoing.setTimeout(15_000, () => outgoing.destroy(new Error(`timeout: ${request.method} ${request.path}`)));
    // The server may refuse before reading the body (413, 411): a reset then is an answer, not a crash.
    outgoing.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "EPIPE" || error.code === "ECONNRESET" ? resolve({ request, status: 0, body: "" }) : reject(error),
    );
    outgoing.end(request.body);
  });
}

/**
 * Bytes no HTTP client library would send: straight onto a socket. The socket stays open for
 * writing (a half-close makes Node drop a request that is still being answered); every raw request
 * says `Connection: close` or is refused by Node's parser, so the server closes it.
 */
function sendRaw(bytes: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    let text = "";
    socket.setTimeout(10_000, () =>
      socket.destroy(new Error(`raw request timed out: ${JSON.stringify(bytes.slice(0, 60))}`)),
    );
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.write(bytes);
  });
}

async function sendAll(requests: FuzzRequest[], concurrency = 4): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) answers.push(await send(requests[next++]!));
    }),
  );
  return answers;
}

const STACK_TRACE = /\n\s+at \S+ \(|node_modules\/|\.next\/server\//;
const describeRequest = ({ method, path, headers, body }: FuzzRequest) =>
  `${method} ${path.slice(0, 120)} [${Object.keys(headers).join(",")}] body=${
    body === undefined ? "none" : String(body).slice(0, 60)
  }`;

function problemsIn(answers: Answer[]): string[] {
  return answers.flatMap((answer) => {
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`${answer.status} for ${describeRequest(answer.request)}`);
    if (STACK_TRACE.test(answer.body)) problems.push(`stack trace in the answer to ${describeRequest(answer.request)}`);
    return problems;
  });
}

/**
 * Next's own line for a well-formed action id that this page's bundle does not hold (answered 404,
 * not sent to Sentry): what a form from another release gets (deployment skew, ADR 0021), so it
 * is expected traffic during every rollout, not a fault.
 */
const NEXT_UNKNOWN_ACTION =
  /^Error: Failed to find Server Action "[0-9a-f]{42}"\. This request might be from an older or newer deployment\./;

/** Log lines at error level or above: pino's JSON lines, and anything Next prints with its error mark. */
function errorLogs(from: number): string[] {
  return server.logs
    .slice(from)
    .filter((line) => /"level":"(error|fatal)"/.test(line) || line.includes("⨯") || /^\s*Error\b/.test(line))
    .filter((line) => !NEXT_UNKNOWN_ACTION.test(line.trim()));
}

/** The sign-in action (public: anyone can call it), found on /sign-in. */
function signInActionId(): string {
  const entry = [...actionIds.entries()].find(([form]) => form.startsWith("/sign-in"));
  if (!entry) throw new Error("no server action on /sign-in");
  return entry[1];
}

/** A multipart body of `parts` (name → value). */
function multipart(parts: Record<string, string>): string {
  return (
    Object.entries(parts)
      .map(([name, value]) => `--fuzz\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join("") + "--fuzz--\r\n"
  );
}

/** The payloads issue 19 found answered 500, each as React's text body and as its multipart form. */
function refusedPayloads(): FuzzRequest[] {
  const roots = [
    '["$B1"]',
    '["$Q1"]',
    '["$h1"]',
    '["$1:__proto__:then"]',
    '["$T"]',
    '["$@5"]',
    JSON.stringify(Array.from({ length: 1001 }, () => 1)),
    `[${"[".repeat(20_000)}${"]".repeat(20_000)}]`,
  ];
  const headers = { "next-action": signInActionId(), origin: server.url };
  return roots.flatMap((root) => [
    {
      method: "POST",
      path: "/sign-in",
      headers: { ...headers, "content-type": "text/plain;charset=UTF-8" },
      body: root,
    },
    {
      method: "POST",
      path: "/sign-in",
      headers: { ...headers, "content-type": "multipart/form-data; boundary=fuzz" },
      body: multipart({ "0": root, "1": '{"a":1}' }),
    },
  ]);
}

/** Generated React Flight replies: random values, `$`-tags and references between random parts (seeded). */
function generatedReplies(count: number): FuzzRequest[] {
  const random = prng(SEED ^ 0xf1163);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const tags = [..."$@hTQWKiIN-DnAOoUSsLlGgMmVBRrXxuZzY_0123456789abcdef:"];
  const value = (depth: number): unknown => {
    const roll = random();
    if (depth > 3 || roll < 0.35) {
      const tail = pick([
        "",
        "1",
        "2",
        "ff",
        "1:a",
        "1:__proto__",
        "0:constructor:prototype",
        "zz",
        "-1",
        "2026-12-06",
      ]);
      return `$${pick(tags)}${tail}`;
    }
    if (roll < 0.5) return pick([null, true, 0, -1, 1e308, "", "x", "$$x"]);
    if (roll < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: Math.floor(random() * 3) }, () => [
        pick(["a", "b", "__proto__", "then", "$1"]),
        value(depth + 1),
      ]),
    );
  };
  const actions = [...actionIds.values()];
  return Array.from({ length: count }, () => {
    const parts: Record<string, string> = { "0": JSON.stringify([value(0), value(0)]) };
    for (const id of ["1", "2", "3"]) if (random() < 0.5) parts[id] = JSON.stringify(value(1));
    if (random() < 0.3) parts["_1_name"] = "fuzz";
    const asText = random() < 0.4;
    return {
      method: "POST",
      path: pick(["/sign-in", "/projects/new", "/members"]),
      headers: {
        "next-action": pick(actions),
        origin: server.url,
        ...(random() < 0.5 ? { cookie: adminCookie } : {}),
        "content-type": asText ? "text/plain;charset=UTF-8" : "multipart/form-data; boundary=fuzz",
      },
      body: asText ? parts["0"] : multipart(parts),
    };
  });
}

describe("fuzzing every route and server action of the production server", () => {
  it("finds the server actions on the pages (the fuzz below calls each of them)", () => {
    // Sign-in (demo users), create, update, delete, role change, remove member, sign out.
    expect(actionIds.size).toBeGreaterThanOrEqual(5);
  });

  it(`answers ${GENERATED} generated malformed requests without a 5xx, a stack trace or an error log`, async () => {
    const logsBefore = server.logs.length;
    const answers = await sendAll(generate(GENERATED));
    expect(answers).toHaveLength(GENERATED);
    expect(problemsIn(answers)).toEqual([]);
    expect(errorLogs(logsBefore)).toEqual([]);
    // The fuzz reached the application, not only the front door: many distinct answers.
    const statuses = new Set(answers.map((answer) => answer.status));
    for (const status of [200, 400, 401, 404, 405])
      expect(statuses, `no ${status} among ${[...statuses]}`).toContain(status);
  }, 240_000);

  it("answers broken payloads to every server action, signed in or not, without a 5xx or an error log", async () => {
    const logsBefore = server.logs.length;
    const requests = serverActionRequests();
    expect(requests.length).toBeGreaterThanOrEqual(100);
    const answers = await sendAll(requests);
    expect(problemsIn(answers)).toEqual([]);
    expect(errorLogs(logsBefore)).toEqual([]);
  }, 240_000);

  it("answers malformed HTTP (bad request lines, headers, encodings) with 4xx, or a redirect to sign-in, and keeps serving", async () => {
    const logsBefore = server.logs.length;
    const raw = [
      "GET /projects/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\nabcde",
      "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\nConnection: close\r\n\r\n0\r\n\r\n",
      "POST /api/webhooks/clerk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\nnot hex\r\n0\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\nConnection: close\r\n\r\n",
      `GET / HTTP/1.1\r\nHost: x\r\nCookie: ${"a=b; ".repeat(4000)}\r\nConnection: close\r\n\r\n`,
      "GET /\u0001 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "BREW /coffee HTCPCP/1.0\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /projects/..%2f..%2f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ];
    for (const bytes of raw) {
      const answer = await sendRaw(bytes);
      expect(
        answer.status,
        `${JSON.stringify(bytes.slice(0, 60))}: ${answer.text.slice(0, 300)}`,
      ).toBeGreaterThanOrEqual(300);
      expect(answer.status, JSON.stringify(bytes.slice(0, 60))).toBeLessThan(500);
      expect(STACK_TRACE.test(answer.text)).toBe(false);
    }
    expect(errorLogs(logsBefore)).toEqual([]);
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
  }, 60_000);

  it("refuses every page post with a foreign, null, malformed or missing Origin with 403, before Next", async () => {
    const logsBefore = server.logs.length;
    const origins = ["https://evil.example", "null", "not a url", "javascript:alert(1)", undefined];
    const requests: FuzzRequest[] = [];
    for (const path of ["/", "/sign-in", "/status", "/no-such-page", "/projects/new"]) {
      for (const origin of origins) {
        for (const form of [true, false]) {
          requests.push({
            method: "POST",
            path,
            headers: {
              ...(origin === undefined ? {} : { origin }),
              ...(form
                ? { "content-type": "multipart/form-data; boundary=fuzz" }
                : { "content-type": "text/plain;charset=UTF-8", "next-action": signInActionId() }),
            },
            body: form ? multipart({ userId: tenant.adminId }) : "[]",
          });
        }
      }
    }
    const answers = await sendAll(requests);
    for (const answer of answers) expect(answer.status, describeRequest(answer.request)).toBe(403);
    expect(errorLogs(logsBefore)).toEqual([]);
  }, 120_000);

  it("answers the action payloads React refuses with 400, never 500", async () => {
    const logsBefore = server.logs.length;
    const answers = await sendAll(refusedPayloads());
    for (const answer of answers) expect(answer.status, describeRequest(answer.request)).toBe(400);
    expect(errorLogs(logsBefore)).toEqual([]);
  }, 120_000);

  it("answers 300 generated React Flight replies to the actions without a 5xx or an error log", async () => {
    const logsBefore = server.logs.length;
    const answers = await sendAll(generatedReplies(300));
    expect(problemsIn(answers)).toEqual([]);
    expect(errorLogs(logsBefore)).toEqual([]);
    // The generator reaches both sides: payloads refused, and payloads React decodes.
    const statuses = new Set(answers.map((answer) => answer.status));
    expect(statuses).toContain(400);
    expect([...statuses].some((status) => status !== 400)).toBe(true);
  }, 240_000);

  it("answers `*` and absolute-form targets with 4xx and never redirects off-site; /_next/image is off", async () => {
    const logsBefore = server.logs.length;
    for (const bytes of [
      "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET http://evil.example/projects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET https://evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET //evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ]) {
      const answer = await sendRaw(bytes);
      expect(answer.status, JSON.stringify(bytes.slice(0, 40))).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toMatch(/^location:.*evil\.example/im);
    }
    const image = await fetch(`${server.url}/_next/image?url=http%3A%2F%2Fevil.example%2Fa.png&w=64&q=75`);
    expect(image.status).toBe(404);
    expect(errorLogs(logsBefore)).toEqual([]);
  }, 60_000);
});

import { Writable } from "node:stream";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/logger/create-logger";
import { scrubString } from "@/lib/logger/client";

function capture(knownSecrets: string[] = []) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: "info", knownSecrets: () => knownSecrets }, stream);
  return { logger, lines };
}

const SECRETS = {
  databaseUrl: "postgres://slipway:Pa55-word-xyz@db.internal:5432/slipway",
  session: "a-known-session-secret-value-0123456789",
  bearer: "Bearer abcdef.ghijkl.mnopqr",
  clerk: "sk_live_0123456789abcdef",
  webhook: "whsec_c2VjcmV0LXdlYmhvb2sta2V5",
};

describe("logger", () => {
  it("writes single-line JSON with level, time and msg", () => {
    const { logger, lines } = capture();
    logger.info({ route: "/x" }, "hello");
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: "info", msg: "hello", route: "/x" });
    expect(typeof entry.time).toBe("string");
  });

  it("never writes known secrets, wherever they appear", () => {
    const { logger, lines } = capture([SECRETS.session]);
    logger.info({ headers: { authorization: SECRETS.bearer, cookie: `s=${SECRETS.session}` } }, "request");
    logger.info(
      { password: "hunter2-password", token: "tok-123456789", nested: { deeper: { note: SECRETS.session } } },
      "fields",
    );
    logger.info(`connecting to ${SECRETS.databaseUrl}`);
    logger.warn({ config: { DATABASE_URL: SECRETS.databaseUrl, url: SECRETS.databaseUrl } }, "config");
    logger.error({ err: new Error(`failed with ${SECRETS.clerk} and ${SECRETS.webhook}`) }, "boom");
    logger.info({ body: `{"secret":"${SECRETS.session}"}` }, "body");
    const output = lines.join("\n");
    expect(lines).toHaveLength(6);
    for (const value of [
      SECRETS.session,
      "Pa55-word-xyz",
      "abcdef.ghijkl.mnopqr",
      SECRETS.clerk,
      SECRETS.webhook,
      "hunter2-password",
      "tok-123456789",
    ]) {
      expect(output).not.toContain(value);
    }
    expect(output).toContain("[redacted]");
  });

  it("censors sensitive keys in a child logger's bindings", () => {
    const { logger, lines } = capture();
    logger
      .child({ token: "tok-in-a-binding-1234", requestId: "req-1" })
      .info({ deep: { a: { password: "pw-999" } } }, "child");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("tok-in-a-binding-1234");
    expect(lines[0]).not.toContain("pw-999");
    expect(JSON.parse(lines[0]!)).toMatchObject({ token: "[redacted]", requestId: "req-1", msg: "child" });
  });

  it("keeps the error type and stack for debugging", () => {
    const { logger, lines } = capture();
    logger.error({ err: new TypeError("bad thing") }, "failed");
    const entry = JSON.parse(lines[0]!);
    expect(entry.err).toMatchObject({ type: "TypeError", message: "bad thing" });
    expect(entry.err.stack).toContain("TypeError");
  });
});

describe("scrubString", () => {
  it("keeps the user but hides the password of a connection string", () => {
    expect(scrubString(SECRETS.databaseUrl)).toBe("postgres://slipway:[redacted]@db.internal:5432/slipway");
  });

  it("leaves ordinary text alone", () => {
    expect(scrubString("GET /api/v1/projects 200 in 12ms")).toBe("GET /api/v1/projects 200 in 12ms");
  });
});

describe("user content in database errors", () => {
  it("drops drizzle's bound parameters but keeps the failing SQL", () => {
    const message = 'Failed query: insert into "projects" ("name") values ($1)\nparams: Secret plans,alice@example.com';
    const scrubbed = scrubString(message);
    expect(scrubbed).toContain('insert into "projects"');
    expect(scrubbed).not.toContain("Secret plans");
    expect(scrubbed).not.toContain("alice@example.com");
  });

  it("drops the values of PostgreSQL's key and row details, keeping the columns", () => {
    expect(scrubString("Key (tenant_id, name)=(6f1c, Secret plans) already exists.")).toBe(
      "Key (tenant_id, name)=([redacted]) already exists.",
    );
    expect(scrubString("Failing row contains (6f1c, Secret plans, null).")).toBe("Failing row contains ([redacted]).");
  });

  it("logs a failed query with PostgreSQL's message and code from its cause, without the bound values", () => {
    // What drizzle throws for a failed statement: its own message (SQL and values) wrapping the
    // driver's error (PostgreSQL's message and SQLSTATE, plus the values again). The runbooks'
    // log commands print err.cause.message (docs/runbooks/troubleshooting.md).
    const driverError = Object.assign(new Error("permission denied for table memberships"), {
      name: "PostgresError",
      code: "42501",
      severity: "ERROR",
      routine: "aclcheck_error",
      query: "select * from slipway_enter_scope($1, $2, $3)",
      parameters: ["alice@example.com", "Secret plans"],
    });
    const error = new DrizzleQueryError(
      "select * from slipway_enter_scope($1, $2, $3)",
      ["alice@example.com", "Secret plans"],
      driverError,
    );
    const { logger, lines } = capture();
    logger.error({ err: error }, "unhandled error while rendering");
    const { err } = JSON.parse(lines[0]!);
    expect(err.message).toBe("Failed query: select * from slipway_enter_scope($1, $2, $3)\nparams: [redacted]");
    expect(err.cause).toMatchObject({ message: "permission denied for table memberships", code: "42501" });
    expect(lines[0]).not.toContain("alice@example.com");
    expect(lines[0]).not.toContain("Secret plans");
  });

  it("censors the parameters an error object carries, in every log line", () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error("insert failed"), { parameters: ["Secret plans"], query: "insert …" });
    logger.error({ err: error }, "failed");
    expect(lines.join("\n")).not.toContain("Secret plans");
    expect(JSON.parse(lines[0]!).err.query).toBe("insert …");
  });
});

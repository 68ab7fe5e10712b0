import { describe, expect, it } from "vitest";
import { ConfigError, formatConfigProblems, parseServerEnv, resolveFileSecrets } from "@/lib/env/load";

const validDev = { DATABASE_URL: "postgres://app:s3cret-pass@db.internal:5432/slipway" };

function problemsOf(raw: Record<string, string | undefined>, readFile?: (path: string) => string) {
  try {
    parseServerEnv(raw, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseServerEnv", () => {
  it("accepts a minimal development environment and applies defaults", () => {
    const env = parseServerEnv(validDev);
    expect(env.DATABASE_POOL_MAX).toBe(10);
    expect(env.LOG_LEVEL).toBe("info");
    expect(env.REDIS_REQUIRED).toBe(false);
    expect(env.SHUTDOWN_DRAIN_SECONDS).toBe(5);
  });

  it("returns a frozen object", () => {
    expect(Object.isFrozen(parseServerEnv(validDev))).toBe(true);
  });

  it("treats empty strings as unset, as .env.example leaves them", () => {
    const env = parseServerEnv({ ...validDev, REDIS_URL: "", SENTRY_DSN: "", AUTH_MODE: "" });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.SENTRY_DSN).toBeUndefined();
  });

  it("lists every bad variable at once, by name", () => {
    const problems = problemsOf({ DATABASE_URL: "mysql://x", LOG_LEVEL: "loud", DATABASE_POOL_MAX: "-3" });
    expect(problems.map((p) => p.variable).sort()).toEqual(["DATABASE_POOL_MAX", "DATABASE_URL", "LOG_LEVEL"]);
  });

  it("reports a missing required variable as required", () => {
    expect(problemsOf({})).toEqual([{ variable: "DATABASE_URL", reason: "is required" }]);
  });

  it("never puts a value into a problem's reason", () => {
    const secret = "postgres://u:TopSecretValue123@h/db";
    const problems = problemsOf({
      DATABASE_URL: secret.replace("postgres", "mysql"),
      SESSION_SECRET: "short-TopSecret",
    });
    const text = formatConfigProblems(problems);
    expect(text).not.toContain("TopSecret");
    expect(text).toContain("SESSION_SECRET");
  });

  it("refuses production without Clerk keys unless AUTH_MODE=local is explicit", () => {
    const problems = problemsOf({ ...validDev, NODE_ENV: "production" });
    expect(problems).toEqual([expect.objectContaining({ variable: "AUTH_MODE" })]);
  });

  it("requires SESSION_SECRET for local mode in production", () => {
    const problems = problemsOf({ ...validDev, NODE_ENV: "production", AUTH_MODE: "local" });
    expect(problems.map((p) => p.variable)).toEqual(["SESSION_SECRET"]);
  });

  it("accepts production with Clerk keys", () => {
    const env = parseServerEnv({
      ...validDev,
      NODE_ENV: "production",
      CLERK_SECRET_KEY: "sk_live_abc",
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_live_abc",
      APP_URL: "https://app.example.com",
    });
    expect(env.CLERK_SECRET_KEY).toBe("sk_live_abc");
  });

  it("requires the authorized parties (CLERK_AUTHORIZED_PARTIES or APP_URL) for Clerk in production", () => {
    const problems = problemsOf({
      ...validDev,
      NODE_ENV: "production",
      CLERK_SECRET_KEY: "sk_live_abc",
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_live_abc",
    });
    expect(problems.map((p) => p.variable)).toEqual(["CLERK_AUTHORIZED_PARTIES"]);
  });

  it("rejects REDIS_REQUIRED without REDIS_URL", () => {
    expect(problemsOf({ ...validDev, REDIS_REQUIRED: "true" }).map((p) => p.variable)).toEqual(["REDIS_REQUIRED"]);
  });
});

describe("NAME_FILE secrets", () => {
  const files: Record<string, string> = { "/run/secrets/database_url": "  postgres://a:b@c/d\n" };
  const readFile = (path: string) => {
    if (path in files) return files[path]!;
    throw Object.assign(new Error("nope"), { code: "ENOENT" });
  };

  it("reads the trimmed file content as the value", () => {
    const env = parseServerEnv({ DATABASE_URL_FILE: "/run/secrets/database_url" }, readFile);
    expect(env.DATABASE_URL).toBe("postgres://a:b@c/d");
  });

  it("reports a missing file by variable name", () => {
    const problems = problemsOf({ ...validDev, SESSION_SECRET_FILE: "/run/secrets/missing" }, readFile);
    expect(problems).toEqual([{ variable: "SESSION_SECRET_FILE", reason: "file /run/secrets/missing does not exist" }]);
  });

  it("reports an unreadable file by variable name", () => {
    const unreadable = () => {
      throw Object.assign(new Error("denied"), { code: "EACCES" });
    };
    const problems = problemsOf({ ...validDev, METRICS_TOKEN_FILE: "/run/secrets/metrics" }, unreadable);
    expect(problems).toEqual([{ variable: "METRICS_TOKEN_FILE", reason: "file /run/secrets/metrics is not readable" }]);
  });

  it("refuses both NAME and NAME_FILE", () => {
    const { problems } = resolveFileSecrets({ ...validDev, DATABASE_URL_FILE: "/run/secrets/database_url" }, readFile);
    expect(problems.map((p) => p.variable)).toEqual(["DATABASE_URL_FILE"]);
  });

  it("ignores _FILE for variables that are not secrets", () => {
    const { env } = resolveFileSecrets({ LOG_LEVEL_FILE: "/etc/passwd" }, readFile);
    expect(env.LOG_LEVEL).toBeUndefined();
  });
});

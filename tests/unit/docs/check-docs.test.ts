import { describe, expect, it } from "vitest";
import { functionIn, pathIn } from "../../../scripts/check-docs";

/** What `npm run lint:docs` takes for a path or a function a doc names, and what it leaves alone. */

const dependencies = new Set(["next", "drizzle-orm", "eslint-config-next"]);

describe("lint:docs", () => {
  it.each([
    ["src/lib/auth/index.ts", "src/lib/auth/index.ts"],
    ["src/lib/http/server.ts:43", "src/lib/http/server.ts"],
    ["./scripts/dev.ts", "scripts/dev.ts"],
    ["sentry.edge.config.ts", "sentry.edge.config.ts"],
    ["docs/runbooks/", "docs/runbooks/"],
    ["src/app/(signed-in)/projects/page.tsx", "src/app/(signed-in)/projects/page.tsx"],
  ])("checks %s as a repository path", (token, expected) => {
    expect(pathIn(token, dependencies)).toBe(expected);
  });

  it.each([
    "/health/live",
    "https://example.com/a.json",
    "next/navigation",
    "drizzle-orm/postgres-js/migrator",
    "application/json",
    ".mjs",
    ".next/server/middleware.js",
    "node_modules/next/package.json",
    "db/migrations/NNNN_name.sql",
    "records/YYYY-MM.jsonl",
    "src/*.ts",
    "npm run lint",
    "@sentry/nextjs",
    "~/.ssh/config",
  ])("leaves %s alone", (token) => {
    expect(pathIn(token, dependencies)).toBeUndefined();
  });

  it("checks camelCase calls as functions, not methods or constants", () => {
    expect(functionIn("requireTenant()")).toBe("requireTenant");
    expect(functionIn("withTenant(db, fn)")).toBe("withTenant");
    expect(functionIn("server.close()")).toBeUndefined();
    expect(functionIn("fetch()")).toBeUndefined();
    expect(functionIn("MAX_IN_FLIGHT")).toBeUndefined();
  });
});

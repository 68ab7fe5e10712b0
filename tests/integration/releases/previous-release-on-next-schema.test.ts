import { cpSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import { runGate } from "../../../scripts/release-gate";
import { currentRelease, writeNextReleaseMigrations } from "../../support/releases";
import { missingRequirement } from "../../support/requirements";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createEmptyDatabase } from "../../support/tenants";

const skip = missingRequirement("chromium", "release N's smoke suite on release N+1's schema");

/**
 * Expand/contract in practice: the release step migrates to release N+1's schema before N+1 takes
 * traffic (and a rollback leaves it there), so release N must keep working on it. N+1 = N plus the
 * expand-only migration in tests/fixtures/migrations/next-release/.
 */
describe.skipIf(skip)("release N on release N+1's schema", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("passes N's smoke suite, writes included, after N+1's migration ran as the release step", async () => {
    const sql = adminSql(inject("databaseUrl"));
    cleanups.push(() => sql.end());
    const database = await createEmptyDatabase(sql, inject("databaseUrl"));
    cleanups.push(database.drop);

    // N+1's image layout (/app/db/migrate.mjs + /app/db/migrations), migrated by the runbook's command.
    const image = path.join(tmpdir(), `slipway-next-image-${randomBytes(4).toString("hex")}`);
    mkdirSync(path.join(image, "db"), { recursive: true });
    cleanups.push(() => rmSync(image, { recursive: true, force: true }));
    cpSync(currentRelease().migrator, path.join(image, "db/migrate.mjs"));
    const added = writeNextReleaseMigrations(path.join(image, "db/migrations"));
    const migrated = await runRunbookBlock(runbookBlock("deploy.md", "migrate"), {
      cwd: image,
      env: { DATABASE_URL: database.url },
    });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/migrate: applied \d+ of \d+ migrations/);
    const migratedSql = adminSql(database.url);
    const columns = await migratedSql<{ column_name: string }[]>`
      select column_name from information_schema.columns
      where table_name = 'projects' and column_name = 'release_note'`;
    await migratedSql.end();
    expect(added.length).toBeGreaterThan(0);
    expect(columns).toHaveLength(1);
    await seedDatabase(database.url);

    const release = currentRelease();
    const server: StandaloneServer = await startStandaloneServer({
      dir: release.dir,
      env: { DATABASE_URL: database.url, COMMIT_SHA: release.id },
    });
    cleanups.push(() => server.stop("SIGKILL").then(() => undefined));

    const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
      checks: { migrations: { status: string } };
    };
    // N's own migrations are all applied; the newer one is not N's business.
    expect(health.checks.migrations.status).toBe("up-to-date");
    const lines: string[] = [];
    const gate = await runGate({
      url: server.url,
      commit: release.id,
      timeoutSeconds: 30,
      smoke: true,
      smokeWrites: true,
      log: (line) => lines.push(line),
    });
    expect(gate.ok, lines.slice(-40).join("\n")).toBe(true);
    expect(lines.join("\n")).toMatch(/\d+ passed/);
  });
});

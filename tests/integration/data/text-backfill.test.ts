import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR, runMigrations } from "../../../db/migrate";
import { adminSql, databaseUrlFor } from "../../support/tenants";

/**
 * Migration 0005 on a database written before it, migrated as production does (a non-superuser
 * owner, whom FORCE row-level security binds too): names and descriptions stored in another
 * normalization form become NFC, and two projects whose names now coincide both stay, one with
 * the start of its id appended.
 */

const BEFORE = "0005_normalized_project_text";
const clusterUrl = inject("databaseUrl");
const cluster = adminSql(clusterUrl);
const suffix = randomBytes(4).toString("hex");
const role = `text_owner_${suffix}`;
const database = `text_backfill_${suffix}`;
let ownerUrl: string;
let earlierMigrations: string;

beforeAll(async () => {
  await cluster.unsafe(`create role ${role} login createrole password 'owner-password'`);
  // The cluster's slipway_app exists already, created by another role: let this owner use it.
  const [{ version }] = [
    ...(await cluster<{ version: number }[]>`select current_setting('server_version_num')::int as version`),
  ] as [{ version: number }];
  await cluster.unsafe(`grant slipway_app to ${role}${version >= 160000 ? " with set true" : ""}`);
  await cluster.unsafe(`create database ${database} owner ${role}`);
  const url = new URL(databaseUrlFor(clusterUrl, database));
  url.username = role;
  url.password = "owner-password";
  ownerUrl = url.toString();
  // The migrations as they were before 0005.
  earlierMigrations = mkdtempSync(path.join(tmpdir(), "slipway-migrations-"));
  cpSync(DEFAULT_MIGRATIONS_DIR, earlierMigrations, { recursive: true });
  const journalFile = path.join(earlierMigrations, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((entry) => entry.tag === BEFORE),
  );
  writeFileSync(journalFile, JSON.stringify(journal));
});

afterAll(async () => {
  rmSync(earlierMigrations, { recursive: true, force: true });
  await cluster.unsafe(`drop database if exists ${database} with (force)`);
  await cluster.unsafe(`drop role if exists ${role}`);
  await cluster.end();
});

describe("migration 0005 on existing projects", () => {
  it("stores every name and description NFC, keeping apart two names that now coincide", async () => {
    await runMigrations(ownerUrl, earlierMigrations);
    const owner = postgres(ownerUrl, { max: 1, onnotice: () => {} });
    const [tenant] = await owner<{ id: string }[]>`
      insert into tenants (external_org_id, slug, name) values ('org_text', 'text', 'Text') returning id`;
    const ids = await owner.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenant!.id}, true)`;
      const rows = await tx<{ id: string; name: string }[]>`
        insert into projects (tenant_id, name, description) values
          (${tenant!.id}, ${"Caf\u00e9"}, ''),
          (${tenant!.id}, ${"Cafe\u0301"}, ''),
          (${tenant!.id}, ${"Cre\u0300me"}, ${"Cre\u0300me bru\u0302le\u0301e"})
        returning id, name`;
      return rows.map((row) => row.id);
    });
    await owner.end();

    await runMigrations(ownerUrl);

    const superuser = adminSql(databaseUrlFor(clusterUrl, database));
    const rows = await superuser<{ id: string; name: string; description: string }[]>`
      select id, name, description from projects order by created_at, id`;
    await superuser.end();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ids[0]!)!.name).toBe("Caf\u00e9");
    expect(byId.get(ids[1]!)!.name).toBe(`Caf\u00e9 (${ids[1]!.slice(0, 8)})`);
    expect(byId.get(ids[2]!)).toMatchObject({ name: "Cr\u00e8me", description: "Cr\u00e8me br\u00fbl\u00e9e" });
  });
});

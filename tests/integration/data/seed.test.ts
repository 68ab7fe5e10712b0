import { afterAll, describe, expect, inject, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import { runMigrations } from "../../../db/migrate";
import { adminSql, createEmptyDatabase } from "../../support/tenants";

describe("db:seed", () => {
  const databaseUrl = inject("databaseUrl");
  const admin = adminSql(databaseUrl);
  const drops: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const drop of drops) await drop();
    await admin.end();
  });

  it("creates Acme and Globex with members and projects, and changes nothing when run again", async () => {
    const database = await createEmptyDatabase(admin, databaseUrl);
    drops.push(database.drop);
    await runMigrations(database.url);

    const first = await seedDatabase(database.url);
    expect(first).toEqual({ tenants: 2, users: 4, memberships: 5, projects: 5 });
    const second = await seedDatabase(database.url);
    expect(second).toEqual({ tenants: 0, users: 0, memberships: 0, projects: 0 });

    const sql = adminSql(database.url);
    try {
      const rows = await sql<{ slug: string; user: string; role: string; projects: number }[]>`
        select t.slug, u.external_user_id as user, m.role,
               (select count(*)::int from projects p where p.tenant_id = t.id) as projects
        from memberships m join tenants t on t.id = m.tenant_id join users u on u.id = m.user_id
        order by t.slug, u.external_user_id`;
      expect(rows).toEqual([
        { slug: "acme", user: "local_alice", role: "admin", projects: 3 },
        { slug: "acme", user: "local_bob", role: "member", projects: 3 },
        { slug: "acme", user: "local_dave", role: "member", projects: 3 },
        { slug: "globex", user: "local_carol", role: "admin", projects: 2 },
        { slug: "globex", user: "local_dave", role: "member", projects: 2 },
      ]);
    } finally {
      await sql.end();
    }
  });
});

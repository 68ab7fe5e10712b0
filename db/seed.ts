/**
 * Demo data for development and demos: tenants Acme and Globex, their users, memberships and
 * projects. Idempotent: rows are matched on their natural keys and existing rows are left alone.
 *
 *   npm run db:seed        # DATABASE_URL or DATABASE_URL_FILE
 *
 * Local-mode sign-in lists these users (external ids `local_*`).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";
import { databaseUrlFrom, describeDatabase } from "./migrate";

type Role = "admin" | "member";

export const SEED_TENANTS = [
  {
    externalOrgId: "local_acme",
    slug: "acme",
    name: "Acme",
    members: { alice: "admin", bob: "member", dave: "member" } as Record<string, Role>,
    projects: [
      { name: "Website relaunch", description: "New marketing site with the 2027 brand.", status: "active" },
      { name: "Mobile app", description: "iOS and Android clients for field teams.", status: "active" },
      { name: "Billing migration", description: "Move invoicing to the new provider.", status: "paused" },
    ],
  },
  {
    externalOrgId: "local_globex",
    slug: "globex",
    name: "Globex",
    members: { carol: "admin", dave: "member" } as Record<string, Role>,
    projects: [
      { name: "Supply chain dashboard", description: "Live view of inbound shipments.", status: "active" },
      { name: "Data warehouse", description: "Nightly loads from every plant.", status: "archived" },
    ],
  },
] as const;

export const SEED_USERS = {
  alice: { externalUserId: "local_alice", name: "Alice Archer", email: "alice@acme.example" },
  bob: { externalUserId: "local_bob", name: "Bob Baker", email: "bob@acme.example" },
  carol: { externalUserId: "local_carol", name: "Carol Chen", email: "carol@globex.example" },
  dave: { externalUserId: "local_dave", name: "Dave Diaz", email: "dave@example.com" },
} as const;

export interface SeedResult {
  tenants: number;
  users: number;
  memberships: number;
  projects: number;
}

/**
 * Seeds as the connecting user. Tenant-owned rows are written inside a transaction that sets
 * app.tenant_id, so this also works for a non-superuser owner under FORCE ROW LEVEL SECURITY.
 */
export async function seedDatabase(url: string): Promise<SeedResult> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "slipway-seed" } });
  const db = drizzle(client, { schema });
  const created: SeedResult = { tenants: 0, users: 0, memberships: 0, projects: 0 };
  try {
    const userIds: Record<string, string> = {};
    for (const [key, user] of Object.entries(SEED_USERS)) {
      const inserted = await db.insert(schema.users).values(user).onConflictDoNothing().returning();
      created.users += inserted.length;
      const [row] = await db
        .select({ id: schema.users.id })
        .from(schema.users)
        .where(sql`${schema.users.externalUserId} = ${user.externalUserId}`);
      userIds[key] = row!.id;
    }

    for (const tenant of SEED_TENANTS) {
      const inserted = await db
        .insert(schema.tenants)
        .values({ externalOrgId: tenant.externalOrgId, slug: tenant.slug, name: tenant.name })
        .onConflictDoNothing()
        .returning();
      created.tenants += inserted.length;
      const [row] = await db
        .select({ id: schema.tenants.id })
        .from(schema.tenants)
        .where(sql`${schema.tenants.externalOrgId} = ${tenant.externalOrgId}`);
      const tenantId = row!.id;

      await db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
        for (const [key, role] of Object.entries(tenant.members)) {
          const added = await tx
            .insert(schema.memberships)
            .values({ tenantId, userId: userIds[key]!, role })
            .onConflictDoNothing()
            .returning();
          created.memberships += added.length;
        }
        const admin = Object.entries(tenant.members).find(([, role]) => role === "admin")?.[0];
        for (const [index, project] of tenant.projects.entries()) {
          const added = await tx
            .insert(schema.projects)
            .values({
              tenantId,
              ...project,
              createdBy: admin ? userIds[admin] : null,
              // A minute apart, in list order (newest first), instead of one transaction timestamp.
              createdAt: sql`now() - make_interval(mins => ${index})`,
              updatedAt: sql`now() - make_interval(mins => ${index})`,
            })
            .onConflictDoNothing()
            .returning();
          created.projects += added.length;
          for (const p of added) {
            await tx.insert(schema.auditEvents).values({
              tenantId,
              actor: "seed",
              action: "project.created",
              target: `project:${p.id}`,
              metadata: { name: p.name },
            });
          }
        }
      });
    }
    return created;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function main(): Promise<void> {
  let target = "(unknown database)";
  try {
    const url = databaseUrlFrom(process.env);
    target = describeDatabase(url);
    const result = await seedDatabase(url);
    console.log(
      `seed: ${target}: created ${result.tenants} tenants, ${result.users} users, ${result.memberships} memberships, ${result.projects} projects (existing rows kept).`,
    );
  } catch (error) {
    console.error(`seed: FAILED for ${target}: ${error instanceof Error ? error.message : String(error)}`);
    if (target !== "(unknown database)")
      console.error("Has the database been migrated? Run `npm run db:migrate` first.");
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}

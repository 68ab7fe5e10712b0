import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * Test data written as the superuser (which bypasses row-level security): each test creates its
 * own tenants with unique names, so tests never depend on each other or on order.
 */
export interface TenantFixture {
  tenantId: string;
  slug: string;
  adminId: string;
  memberId: string;
  projectIds: string[];
}

export function adminSql(databaseUrl: string): postgres.Sql {
  return postgres(databaseUrl, { max: 2, onnotice: () => {} });
}

/**
 * A tenant with an admin and a member. `demoUsers`: give the users the seed's external ids
 * (`local_*`), so local mode's sign-in page offers them; otherwise they look Clerk-provisioned.
 */
export async function createTenant(
  sql: postgres.Sql,
  options: { projects?: string[]; demoUsers?: boolean } = {},
): Promise<TenantFixture> {
  const suffix = randomBytes(5).toString("hex");
  const userPrefix = options.demoUsers ? "local" : "user";
  const [tenant] = await sql<{ id: string }[]>`
    insert into tenants (external_org_id, slug, name) values (${`org_${suffix}`}, ${`t-${suffix}`}, ${`Tenant ${suffix}`})
    returning id`;
  const [admin] = await sql<{ id: string }[]>`
    insert into users (external_user_id, email, name) values (${`${userPrefix}_admin_${suffix}`}, ${`admin-${suffix}@example.com`}, 'Admin')
    returning id`;
  const [member] = await sql<{ id: string }[]>`
    insert into users (external_user_id, email, name) values (${`${userPrefix}_member_${suffix}`}, ${`member-${suffix}@example.com`}, 'Member')
    returning id`;
  await sql`insert into memberships (tenant_id, user_id, role) values
    (${tenant!.id}, ${admin!.id}, 'admin'), (${tenant!.id}, ${member!.id}, 'member')`;
  const projectIds: string[] = [];
  for (const name of options.projects ?? ["Alpha", "Beta"]) {
    const [project] = await sql<{ id: string }[]>`
      insert into projects (tenant_id, name, description, created_by)
      values (${tenant!.id}, ${name}, ${`About ${name}`}, ${admin!.id}) returning id`;
    projectIds.push(project!.id);
  }
  return { tenantId: tenant!.id, slug: `t-${suffix}`, adminId: admin!.id, memberId: member!.id, projectIds };
}

/** A URL for another database on the same cluster. */
export function databaseUrlFor(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** CREATE DATABASE with a unique name; returns its URL and a drop function. */
export async function createEmptyDatabase(
  sql: postgres.Sql,
  databaseUrl: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `slipway_test_${randomBytes(5).toString("hex")}`;
  await sql.unsafe(`create database ${name}`);
  return {
    url: databaseUrlFor(databaseUrl, name),
    name,
    drop: async () => {
      await sql.unsafe(`drop database if exists ${name} with (force)`);
    },
  };
}

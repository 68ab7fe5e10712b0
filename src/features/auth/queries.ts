import "server-only";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { memberships, tenants, users } from "@db/schema";
import type { Role } from "@/lib/auth";
import { getDb, withTenant, withUser } from "@/lib/db";

export interface MembershipChoice {
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  role: Role;
}

export interface SignInChoice {
  userId: string;
  name: string | null;
  email: string | null;
  memberships: MembershipChoice[];
}

/** The organizations a user belongs to (their own memberships, read through RLS), by name. */
export async function listMembershipsOf(userId: string): Promise<MembershipChoice[]> {
  const own = await withUser(userId, (tx) =>
    tx
      .select({ tenantId: memberships.tenantId, role: memberships.role })
      .from(memberships)
      .where(eq(memberships.userId, userId)),
  );
  if (own.length === 0) return [];
  const rows = await getDb()
    .select({ id: tenants.id, name: tenants.name, slug: tenants.slug })
    .from(tenants)
    .where(
      and(
        inArray(
          tenants.id,
          own.map((membership) => membership.tenantId),
        ),
        isNull(tenants.deletedAt),
      ),
    )
    .orderBy(asc(tenants.name));
  const roleOf = new Map(own.map((membership) => [membership.tenantId, membership.role]));
  return rows.map((tenant) => ({
    tenantId: tenant.id,
    tenantName: tenant.name,
    tenantSlug: tenant.slug,
    role: roleOf.get(tenant.id)!,
  }));
}

/** Local mode's sign-in list: every active user and their organizations (the seeded demo users in dev). */
export async function listSignInChoices(limit = 50): Promise<SignInChoice[]> {
  const rows = await getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(isNull(users.deletedAt))
    .orderBy(asc(users.name), asc(users.email))
    .limit(limit);
  return Promise.all(
    rows.map(async (user) => ({
      userId: user.id,
      name: user.name,
      email: user.email,
      memberships: await listMembershipsOf(user.id),
    })),
  );
}

export async function findActiveUser(
  userId: string,
): Promise<{ id: string; name: string | null; email: string | null } | undefined> {
  const [row] = await getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  return row;
}

export interface Member {
  membershipId: string;
  userId: string;
  name: string | null;
  email: string | null;
  role: Role;
}

/** Members of the tenant, read inside the tenant (RLS). */
export async function listMembers(tenantId: string): Promise<Member[]> {
  return withTenant(tenantId, (tx) =>
    tx
      .select({
        membershipId: memberships.id,
        userId: users.id,
        name: users.name,
        email: users.email,
        role: memberships.role,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .orderBy(asc(users.name), asc(users.email)),
  );
}

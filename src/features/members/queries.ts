import "server-only";
import { asc, eq } from "drizzle-orm";
import { memberships, users, type Role } from "@db/schema";
import { membersManagedBy, withTenant, type Caller } from "@/lib/auth";

// No `where tenant_id = …`: withTenant runs as slipway_app in the caller's tenant, and row-level
// security adds that condition to every statement (docs/database.md).

export interface Member {
  userId: string;
  name: string | null;
  email: string | null;
  role: Role;
}

export const memberColumns = { userId: users.id, name: users.name, email: users.email, role: memberships.role };

/** The active tenant's members, by name. */
export function listMembers(caller: Caller): Promise<Member[]> {
  return withTenant(caller, (tx) =>
    tx
      .select(memberColumns)
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .orderBy(asc(users.name), asc(users.email)),
  );
}

/**
 * Whether members are added, removed and re-roled here (local mode) or in the identity provider
 * (Clerk, whose next session token or webhook would undo a change made here).
 */
export function membersManagedHere(): boolean {
  return membersManagedBy() === null;
}

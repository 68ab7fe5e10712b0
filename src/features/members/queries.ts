import "server-only";
import { asc, eq } from "drizzle-orm";
import { memberships, users, type Role } from "@db/schema";
import { withTenant, type Caller } from "@/lib/auth";
import type { Transaction } from "@/lib/db";

export interface Member {
  membershipId: string;
  userId: string;
  name: string | null;
  email: string | null;
  role: Role;
}

/** The tenant's members, inside a tenant transaction (row-level security limits it to the tenant). */
export function membersIn(tx: Transaction): Promise<Member[]> {
  return tx
    .select({
      membershipId: memberships.id,
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .orderBy(asc(users.name), asc(users.email));
}

export function listMembers(caller: Caller): Promise<Member[]> {
  return withTenant(caller, (tx) => membersIn(tx));
}

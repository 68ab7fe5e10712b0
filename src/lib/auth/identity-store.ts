import { eq } from "drizzle-orm";
import { users } from "@db/schema";
import type { Transaction } from "@/lib/db";

/**
 * Users as the identity provider knows them, mirrored into our tables by external id: the part of
 * provisioning every provider shares (the Clerk provider's directory, ./providers/clerk/directory.ts,
 * adds tenants and memberships). Runs as the connecting role (the owner writes users).
 */

export interface IdentityRow {
  id: string;
  deletedAt: Date | null;
}

export async function findUser(tx: Transaction, externalUserId: string): Promise<IdentityRow | undefined> {
  const [row] = await tx
    .select({ id: users.id, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(users.externalUserId, externalUserId));
  return row;
}

/** The user, created with these attributes when missing (never overwriting an existing row). */
export async function ensureUser(
  tx: Transaction,
  user: { externalUserId: string; email: string | null; name: string | null },
): Promise<{ row: IdentityRow; created: boolean }> {
  const [created] = await tx
    .insert(users)
    .values(user)
    .onConflictDoNothing({ target: users.externalUserId })
    .returning({ id: users.id, deletedAt: users.deletedAt });
  if (created) return { row: created, created: true };
  return { row: (await findUser(tx, user.externalUserId))!, created: false };
}

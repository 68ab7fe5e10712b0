import "server-only";
import { and, asc, eq, isNull, like } from "drizzle-orm";
import { memberships, tenants, users, type Role } from "@db/schema";
import { enterScope, getDb } from "@/lib/db";
import { singleton } from "@/lib/singleton";

export interface SignInChoice {
  userId: string;
  name: string | null;
  email: string | null;
  memberships: { tenantId: string; tenantName: string; role: Role }[];
}

/** Local mode offers the demo users only: the seed's (external ids `local_*`), never Clerk-provisioned ones. */
const DEMO_USER_ID_PATTERN = "local\\_%";
/** Enough for any demo; bounds what an anonymous visitor makes the server read. */
const MAX_CHOICES = 20;
/** The list is the same for every visitor: read it at most this often. */
const CHOICES_TTL_MS = 5_000;

const cached = singleton("auth.sign-in-choices", () => ({
  at: 0,
  choices: undefined as Promise<SignInChoice[]> | undefined,
}));

async function readSignInChoices(): Promise<SignInChoice[]> {
  return getDb().transaction(async (tx) => {
    const demoUsers = await tx
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(and(like(users.externalUserId, DEMO_USER_ID_PATTERN), isNull(users.deletedAt)))
      .orderBy(asc(users.name), asc(users.email))
      .limit(MAX_CHOICES);
    const choices: SignInChoice[] = [];
    for (const user of demoUsers) {
      // Each user's memberships are readable only in that user's scope (row-level security).
      await enterScope(tx, { userId: user.id });
      const rows = await tx
        .select({ tenantId: memberships.tenantId, tenantName: tenants.name, role: memberships.role })
        .from(memberships)
        .innerJoin(tenants, and(eq(tenants.id, memberships.tenantId), isNull(tenants.deletedAt)))
        .where(eq(memberships.userId, user.id))
        .orderBy(asc(tenants.name));
      choices.push({ userId: user.id, name: user.name, email: user.email, memberships: rows });
    }
    return choices;
  });
}

/**
 * Local mode's sign-in list: the demo users and their organizations. Shared by every visitor for
 * CHOICES_TTL_MS (a user or membership created meanwhile shows up that much later).
 */
export function listSignInChoices(): Promise<SignInChoice[]> {
  if (!cached.choices || Date.now() - cached.at > CHOICES_TTL_MS) {
    cached.at = Date.now();
    cached.choices = readSignInChoices().catch((error: unknown) => {
      cached.choices = undefined;
      throw error;
    });
  }
  return cached.choices;
}

/** Whether the sign-in page offers signing in as `userId` (into `tenantId`, when given). */
export async function isOfferedSignIn(userId: string, tenantId: string | undefined): Promise<boolean> {
  const choice = (await listSignInChoices()).find((candidate) => candidate.userId === userId);
  if (!choice) return false;
  return tenantId === undefined || choice.memberships.some((membership) => membership.tenantId === tenantId);
}

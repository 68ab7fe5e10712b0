import { cookies } from "next/headers";
import { and, eq, isNull } from "drizzle-orm";
import { memberships, tenants, users } from "@db/schema";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { LOCAL_SESSION_COOKIE, verifyLocalSessionToken } from "./local-session";
import { inTenant } from "./scoped";
import type { AuthContext } from "./types";

export function sessionSecret(): string {
  const secret = getEnv().SESSION_SECRET;
  if (!secret) throw new Error("SESSION_SECRET is not set (required for local auth mode)");
  return secret;
}

/** Local mode: the signed cookie names the internal user and tenant; the database confirms both. */
export async function localAuthContext(): Promise<AuthContext | null> {
  const token = (await cookies()).get(LOCAL_SESSION_COOKIE)?.value;
  const session = await verifyLocalSessionToken(token, sessionSecret());
  if (!session) return null;
  return getDb().transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, session.userId), isNull(users.deletedAt)));
    if (!user) return null;
    const tenantId = session.tenantId;
    if (!tenantId) return { userId: user.id, tenantId: null, role: null };
    const [tenant] = await tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(eq(tenants.id, tenantId), isNull(tenants.deletedAt)));
    if (!tenant) return { userId: user.id, tenantId: null, role: null };
    const [membership] = await inTenant(tx, tenant.id, () =>
      tx.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, user.id)),
    );
    return membership
      ? { userId: user.id, tenantId: tenant.id, role: membership.role }
      : { userId: user.id, tenantId: null, role: null };
  });
}

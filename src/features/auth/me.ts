import "server-only";
import { eq } from "drizzle-orm";
import { tenants } from "@db/schema";
import type { AuthContext } from "@/lib/auth";
import { getDb } from "@/lib/db";
import { findActiveUser } from "./queries";

export interface Me {
  user: { id: string; name: string | null; email: string | null };
  tenant: { id: string; name: string; slug: string } | null;
  role: AuthContext["role"];
}

/** The caller as the API reports it: user, active tenant (if any) and role. */
export async function describeMe(context: AuthContext): Promise<Me> {
  const user = await findActiveUser(context.userId);
  const [tenant] = context.tenantId
    ? await getDb()
        .select({ id: tenants.id, name: tenants.name, slug: tenants.slug })
        .from(tenants)
        .where(eq(tenants.id, context.tenantId))
    : [];
  return {
    user: { id: context.userId, name: user?.name ?? null, email: user?.email ?? null },
    tenant: tenant ?? null,
    role: context.role,
  };
}

import { sql } from "drizzle-orm";
import { tenants, users } from "@db/schema";
import type { Transaction } from "@/lib/db";
import { singleton } from "@/lib/singleton";
import { ensureUser } from "../../identity-store";
import type { Session } from "../../provider";
import { ensureTenant } from "./directory";
import type { Role } from "@db/schema";

/**
 * Maps a Clerk organization role to a Slipway role. Clerk reports roles as `org:<key>` (session
 * claims v2 carry `o.rol` without the prefix; the SDK adds it). Only `admin` grants admin rights:
 * any other or custom role is a member, so a new Clerk role never escalates by accident.
 */
export function roleFromClerk(orgRole: string | null | undefined): Role {
  const key = orgRole?.startsWith("org:") ? orgRole.slice(4) : orgRole;
  return key === "admin" ? "admin" : "member";
}

/** The parts of Clerk's auth object Slipway needs (see `auth()` from @clerk/nextjs/server). */
export interface ClerkAuthLike {
  userId: string | null | undefined;
  orgId?: string | null;
  orgRole?: string | null;
  orgSlug?: string | null;
}

/** Who a verified Clerk session token says is asking, in Clerk's ids, plus the active organization. */
export interface ClerkSession extends Session {
  provider: "clerk";
  externalUserId: string;
  organization: { externalOrgId: string; slug: string | null; role: Role } | null;
}

/** Pure: Clerk's auth object -> session, or null when signed out. */
export function clerkSessionOf(auth: ClerkAuthLike): ClerkSession | null {
  if (!auth.userId) return null;
  return {
    provider: "clerk",
    key: `clerk:${auth.userId}:${auth.orgId ?? "-"}`,
    tenantKey: auth.orgId ? `clerk-org:${auth.orgId}` : null,
    // A refusal (a deleted user) is remembered by the user: Clerk's tokens carry no revocable session id here.
    rejectionKey: `clerk:${auth.userId}`,
    externalUserId: auth.userId,
    organization: auth.orgId
      ? { externalOrgId: auth.orgId, slug: auth.orgSlug ?? null, role: roleFromClerk(auth.orgRole) }
      : null,
  };
}

/** The request's Clerk session (Clerk's middleware verified the token; tokens live 60 seconds). */
export async function readClerkSession(): Promise<ClerkSession | null> {
  // Imported only in Clerk mode: local mode never loads Clerk's server code.
  const { auth } = await import("@clerk/nextjs/server");
  return clerkSessionOf(await auth());
}

/** The audit actor of what a session token provisions or changes. */
export const CLERK_SESSION_ACTOR = "clerk-session";
const ID_CACHE_LIMIT = 10_000;

/**
 * External id -> internal id. Safe to keep for the life of the process: an id never changes and is
 * never reused (deletion is a deleted_at, which every request's verification checks). Bounded:
 * the oldest entries go first.
 */
const internalIds = singleton("auth.clerk-ids", () => new Map<string, string>());

function remember(key: string, id: string): string {
  if (internalIds.size >= ID_CACHE_LIMIT) internalIds.delete(internalIds.keys().next().value!);
  internalIds.set(key, id);
  return id;
}

/**
 * The internal user and tenant ids of a Clerk session, inside `tx` as the connecting role. Rows
 * missing because the webhook has not arrived yet are provisioned from the token (lazy
 * provisioning; the webhook later fills in names and email). Costs nothing once both are known.
 */
export async function internalIdsOf(
  tx: Transaction,
  session: ClerkSession,
): Promise<{ userId: string; tenantId: string | null }> {
  const org = session.organization;
  let userId = internalIds.get(`user:${session.externalUserId}`);
  let tenantId = org ? internalIds.get(`org:${org.externalOrgId}`) : undefined;
  if (!userId || (org && !tenantId)) {
    const [found] = await tx.execute<{ user_id: string | null; tenant_id: string | null }>(
      sql`select (select ${users.id} from ${users} where ${users.externalUserId} = ${session.externalUserId}) as user_id,
        (select ${tenants.id} from ${tenants} where ${tenants.externalOrgId} = ${org?.externalOrgId ?? null}) as tenant_id`,
    );
    userId = found?.user_id ?? undefined;
    tenantId = found?.tenant_id ?? undefined;
  }
  userId ??= (await ensureUser(tx, { externalUserId: session.externalUserId, email: null, name: null })).row.id;
  remember(`user:${session.externalUserId}`, userId);
  if (org) {
    tenantId ??= (
      await ensureTenant(
        tx,
        { externalOrgId: org.externalOrgId, slug: org.slug, name: org.slug ?? org.externalOrgId },
        CLERK_SESSION_ACTOR,
      )
    ).row.id;
    remember(`org:${org.externalOrgId}`, tenantId);
  }
  return { userId, tenantId: tenantId ?? null };
}

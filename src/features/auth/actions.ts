"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { auditEvents, memberships } from "@db/schema";
import {
  createLocalSessionToken,
  getAuthContext,
  HOME_PATH,
  LOCAL_SESSION_COOKIE,
  localSessionCookie,
  requireRole,
  requireTenant,
  SELECT_ORGANIZATION_PATH,
  sessionSecret,
  SIGN_IN_PATH,
} from "@/lib/auth";
import { withTenant } from "@/lib/db";
import { getAuthMode, getEnv } from "@/lib/env";
import { ForbiddenError, InvalidInputError } from "@/lib/errors";
import { refuseMemberChange } from "./member-rules";
import { findActiveUser, listMembers, listMembershipsOf } from "./queries";

/** Local-mode sign-in, organization switching and sign-out; member management (admins). */

const uuid = z.uuid();

function assertLocalMode(): void {
  if (getAuthMode() !== "local") throw new ForbiddenError("Local sign-in is disabled: this deployment uses Clerk.");
}

function field(formData: FormData, name: string): string | undefined {
  const value = formData.get(name);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Secure cookies whenever the site is served over https (directly or behind a TLS-terminating proxy). */
async function cookieIsSecure(): Promise<boolean> {
  if (getEnv().APP_URL?.startsWith("https:")) return true;
  return (await headers()).get("x-forwarded-proto") === "https";
}

async function writeSession(userId: string, tenantId: string | undefined): Promise<void> {
  const token = await createLocalSessionToken({ userId, tenantId }, sessionSecret());
  (await cookies()).set(localSessionCookie(token, await cookieIsSecure()));
}

/** Tenant ids the user may select: their memberships, never a value taken on trust from the form. */
async function assertMember(userId: string, tenantId: string): Promise<void> {
  const mine = await listMembershipsOf(userId);
  if (!mine.some((membership) => membership.tenantId === tenantId)) {
    throw new ForbiddenError("You are not a member of that organization.", "not_a_member");
  }
}

export async function signInLocal(formData: FormData): Promise<void> {
  assertLocalMode();
  const userId = uuid.safeParse(field(formData, "userId"));
  const tenantId = field(formData, "tenantId");
  if (!userId.success || (tenantId && !uuid.safeParse(tenantId).success)) {
    throw new InvalidInputError("Choose a user to sign in as.");
  }
  const user = await findActiveUser(userId.data);
  if (!user) redirect(`${SIGN_IN_PATH}?error=unknown_user`);
  if (tenantId) await assertMember(user.id, tenantId);
  await writeSession(user.id, tenantId);
  redirect(tenantId ? HOME_PATH : SELECT_ORGANIZATION_PATH);
}

export async function selectTenantLocal(formData: FormData): Promise<void> {
  assertLocalMode();
  const context = await getAuthContext();
  if (!context) redirect(SIGN_IN_PATH);
  const tenantId = uuid.safeParse(field(formData, "tenantId"));
  if (!tenantId.success) throw new InvalidInputError("Choose an organization.");
  await assertMember(context.userId, tenantId.data);
  await writeSession(context.userId, tenantId.data);
  redirect(HOME_PATH);
}

export async function signOutLocal(): Promise<void> {
  (await cookies()).delete(LOCAL_SESSION_COOKIE);
  redirect("/");
}

const roleSchema = z.enum(["admin", "member"]);

/**
 * Admin only. In Clerk mode Clerk owns memberships (a change here would be overwritten by the next
 * session token or webhook), so changes are made in Clerk's organization settings instead.
 */
async function manageMember(formData: FormData, change: "set-role" | "remove"): Promise<void> {
  const context = await requireTenant();
  requireRole(context, "admin");
  if (getAuthMode() === "clerk") {
    throw new ForbiddenError("Members are managed in the organization settings (Clerk).", "managed_by_clerk");
  }
  const userId = uuid.safeParse(field(formData, "userId"));
  const role = roleSchema.safeParse(field(formData, "role"));
  if (!userId.success || (change === "set-role" && !role.success))
    throw new InvalidInputError("Choose a member and a role.");

  const members = await listMembers(context.tenantId);
  const refusal = refuseMemberChange(
    members,
    userId.data,
    change === "remove" ? { kind: "remove" } : { kind: "set-role", role: role.data! },
  );
  if (refusal) redirect(`/members?error=${encodeURIComponent(refusal)}`);

  await withTenant(context.tenantId, async (tx) => {
    const where = and(eq(memberships.tenantId, context.tenantId), eq(memberships.userId, userId.data));
    if (change === "remove") await tx.delete(memberships).where(where);
    else await tx.update(memberships).set({ role: role.data!, updatedAt: new Date() }).where(where);
    await tx.insert(auditEvents).values({
      tenantId: context.tenantId,
      actor: context.userId,
      action: change === "remove" ? "membership.deleted" : "membership.role_changed",
      target: userId.data,
      metadata: change === "remove" ? {} : { role: role.data },
    });
  });
  redirect("/members");
}

export async function changeMemberRole(formData: FormData): Promise<void> {
  await manageMember(formData, "set-role");
}

export async function removeMember(formData: FormData): Promise<void> {
  await manageMember(formData, "remove");
}

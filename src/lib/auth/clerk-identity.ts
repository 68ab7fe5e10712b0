import { roleFromClerk, type Role } from "./roles";

/** The parts of Clerk's auth object Slipway needs (see `auth()` from @clerk/nextjs/server). */
export interface ClerkAuthLike {
  userId: string | null | undefined;
  orgId?: string | null;
  orgRole?: string | null;
  orgSlug?: string | null;
}

/** Who Clerk says is asking, in Clerk's ids, plus the active organization if any. */
export interface ClerkIdentity {
  externalUserId: string;
  organization: { externalOrgId: string; slug: string | null; role: Role } | null;
}

/** Pure: Clerk's auth object -> identity, or null when signed out. */
export function clerkIdentityOf(auth: ClerkAuthLike): ClerkIdentity | null {
  if (!auth.userId) return null;
  return {
    externalUserId: auth.userId,
    organization: auth.orgId
      ? { externalOrgId: auth.orgId, slug: auth.orgSlug ?? null, role: roleFromClerk(auth.orgRole) }
      : null,
  };
}

/**
 * A slug for a tenant created from an org id alone (lazy provisioning before the webhook sent the
 * real one): Clerk slugs are lowercase letters, digits and dashes; fall back to the org id.
 */
export function slugFor(slug: string | null | undefined, externalOrgId: string): string {
  const cleaned = (slug ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cleaned || externalOrgId.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

/** The fallback when a slug is already taken by another tenant: deterministic per org. */
export function disambiguatedSlug(slug: string, externalOrgId: string): string {
  const suffix = externalOrgId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
    .slice(-8);
  return `${slug}-${suffix}`;
}

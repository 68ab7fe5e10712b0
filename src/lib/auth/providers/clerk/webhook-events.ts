import { z } from "zod";
import type { Role } from "@db/schema";
import { roleFromClerk } from "./session";

/**
 * Pure: which database changes a Clerk webhook event implies. The route verifies the signature,
 * this decides, and ./provisioning.ts applies. Events may arrive in any order and more than once,
 * so every change is an idempotent upsert or delete, and a membership event carries enough of the
 * user and organization to create them if their own events have not arrived yet ("ensure").
 */

export type ProvisioningChange =
  /** Create or update the user with these attributes. */
  | { kind: "user.upsert"; externalUserId: string; email: string | null; name: string | null }
  /** Create the user if missing; never overwrite what user.* events wrote. */
  | { kind: "user.ensure"; externalUserId: string; email: string | null; name: string | null }
  | { kind: "user.delete"; externalUserId: string }
  | { kind: "tenant.upsert"; externalOrgId: string; slug: string | null; name: string }
  | { kind: "tenant.ensure"; externalOrgId: string; slug: string | null; name: string }
  | { kind: "tenant.delete"; externalOrgId: string }
  | { kind: "membership.upsert"; externalOrgId: string; externalUserId: string; role: Role }
  | { kind: "membership.delete"; externalOrgId: string; externalUserId: string };

const nullableString = z.string().nullish();

const envelopeSchema = z.object({
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});

const userSchema = z.object({
  id: z.string().min(1),
  email_addresses: z
    .array(z.object({ id: z.string(), email_address: z.string() }))
    .nullish()
    .transform((value) => value ?? []),
  primary_email_address_id: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  username: nullableString,
});

const deletedSchema = z.object({ id: z.string().min(1) });

const organizationSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  slug: nullableString,
});

const membershipSchema = z.object({
  role: z.string().min(1),
  organization: z.object({ id: z.string().min(1), name: nullableString, slug: nullableString }),
  public_user_data: z.object({
    user_id: z.string().min(1),
    identifier: nullableString,
    first_name: nullableString,
    last_name: nullableString,
  }),
});

export class MalformedEventError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "MalformedEventError";
  }
}

function displayName(first?: string | null, last?: string | null, fallback?: string | null): string | null {
  const joined = [first, last]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(" ");
  return joined || fallback?.trim() || null;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new MalformedEventError(
      `The ${what} payload is malformed.`,
      result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    );
  }
  return result.data;
}

export interface ParsedEvent {
  type: string;
  changes: ProvisioningChange[];
}

/**
 * PostgreSQL text cannot hold NUL: a name or email carrying one would fail the write with a 500 on
 * every redelivery (Clerk retries failed events for days). NUL is dropped from every string instead.
 */
function withoutNul(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutNul(inner)]));
  }
  return value;
}

/** Parses a verified body and plans its changes. Throws MalformedEventError; unknown types plan nothing. */
export function planClerkEvent(body: string): ParsedEvent {
  let json: unknown;
  try {
    json = withoutNul(JSON.parse(body));
  } catch {
    throw new MalformedEventError("The webhook body is not valid JSON.");
  }
  const { type, data } = parse(envelopeSchema, json, "event");
  return { type, changes: changesFor(type, data) };
}

function changesFor(type: string, data: unknown): ProvisioningChange[] {
  switch (type) {
    case "user.created":
    case "user.updated": {
      const user = parse(userSchema, data, "user");
      const primary =
        user.email_addresses.find((address) => address.id === user.primary_email_address_id) ?? user.email_addresses[0];
      return [
        {
          kind: "user.upsert",
          externalUserId: user.id,
          email: primary?.email_address ?? null,
          name: displayName(user.first_name, user.last_name, user.username),
        },
      ];
    }
    case "user.deleted":
      return [{ kind: "user.delete", externalUserId: parse(deletedSchema, data, "user").id }];
    case "organization.created":
    case "organization.updated": {
      const org = parse(organizationSchema, data, "organization");
      return [{ kind: "tenant.upsert", externalOrgId: org.id, slug: org.slug ?? null, name: org.name }];
    }
    case "organization.deleted":
      return [{ kind: "tenant.delete", externalOrgId: parse(deletedSchema, data, "organization").id }];
    case "organizationMembership.created":
    case "organizationMembership.updated": {
      const membership = parse(membershipSchema, data, "membership");
      const { organization: org, public_user_data: user } = membership;
      const identifier = user.identifier ?? null;
      return [
        {
          kind: "tenant.ensure",
          externalOrgId: org.id,
          slug: org.slug ?? null,
          name: org.name?.trim() || org.slug || org.id,
        },
        {
          kind: "user.ensure",
          externalUserId: user.user_id,
          email: identifier?.includes("@") ? identifier : null,
          name: displayName(user.first_name, user.last_name),
        },
        {
          kind: "membership.upsert",
          externalOrgId: org.id,
          externalUserId: user.user_id,
          role: roleFromClerk(membership.role),
        },
      ];
    }
    case "organizationMembership.deleted": {
      const membership = parse(membershipSchema, data, "membership");
      return [
        {
          kind: "membership.delete",
          externalOrgId: membership.organization.id,
          externalUserId: membership.public_user_data.user_id,
        },
      ];
    }
    default:
      return [];
  }
}

import { randomBytes, randomUUID } from "node:crypto";
import postgres from "postgres";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/local-session";

/** A value planted in config, headers and request bodies that must never reach a log or Sentry. */
export const PLANTED_SECRET = `planted-${randomBytes(16).toString("hex")}`;

export interface TenantMember {
  tenantId: string;
  userId: string;
}

/** A fresh tenant with one admin member, written as the superuser (bypasses RLS). */
export async function createTenantMember(databaseUrl: string): Promise<TenantMember> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const suffix = randomUUID().slice(0, 8);
    const [tenant] = await sql<{ id: string }[]>`
      insert into tenants (external_org_id, slug, name)
      values (${`org_obs_${suffix}`}, ${`obs-${suffix}`}, ${`Observability ${suffix}`}) returning id`;
    const [user] = await sql<{ id: string }[]>`
      insert into users (external_user_id, email, name)
      values (${`user_obs_${suffix}`}, ${`obs-${suffix}@example.com`}, 'Obs Tester') returning id`;
    await sql`insert into memberships (tenant_id, user_id, role) values (${tenant!.id}, ${user!.id}, 'admin')`;
    return { tenantId: tenant!.id, userId: user!.id };
  } finally {
    await sql.end();
  }
}

/** The Cookie header of a signed-in local-mode session. */
export async function sessionCookie(member: TenantMember, sessionSecret: string): Promise<string> {
  const token = await createLocalSessionToken({ userId: member.userId, tenantId: member.tenantId }, sessionSecret);
  return `${LOCAL_SESSION_COOKIE}=${token}`;
}

/** Log lines that are JSON objects (the server also prints a few plain banner lines). */
export function jsonLogLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const value = JSON.parse(line) as unknown;
      return value && typeof value === "object" ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

export async function waitUntil<T>(find: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const NET_SPY = new URL("../../support/net-spy.cjs", import.meta.url).pathname;

/** host:port targets the server connected to (from net-spy lines). */
export function outboundConnections(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const match = /^\[net-spy\] connect (.+)$/.exec(line.trim());
    return match ? [match[1]!] : [];
  });
}

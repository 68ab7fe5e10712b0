import { randomBytes } from "node:crypto";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { migrateDatabase } from "../../support/migrate";
import { adminSql, createEmptyDatabase, createTenant } from "../../support/tenants";

/** A value planted in config, headers and request bodies that must never reach a log or Sentry. */
export const PLANTED_SECRET = `planted-${randomBytes(16).toString("hex")}`;

export interface TenantMember {
  tenantId: string;
  userId: string;
}

export interface BrokenDatabase {
  url: string;
  member: TenantMember;
  drop: () => Promise<void>;
}

/**
 * A migrated database of its own with one tenant and a deployment mistake: the application role
 * lost INSERT on audit_events (a forgotten grant). Creating a project then fails inside the tenant
 * transaction with "permission denied": a real, unexpected error in a real tenant API route.
 */
export async function createDatabaseMissingAuditGrant(databaseUrl: string): Promise<BrokenDatabase> {
  const cluster = adminSql(databaseUrl);
  const database = await createEmptyDatabase(cluster, databaseUrl);
  await migrateDatabase(database.url);
  const sql = adminSql(database.url);
  try {
    const tenant = await createTenant(sql, { projects: [] });
    await sql`revoke insert on audit_events from slipway_app`;
    return {
      url: database.url,
      member: { tenantId: tenant.tenantId, userId: tenant.adminId },
      drop: async () => {
        await database.drop();
        await cluster.end();
      },
    };
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

export const NET_SPY = new URL("../../support/net-spy.cjs", import.meta.url).pathname;
export const MODULE_SPY = new URL("../../support/module-spy.cjs", import.meta.url).pathname;

/** Packages the server loaded from node_modules/@sentry (from module-spy lines). */
export function loadedSentryPackages(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const match = /^\[module-spy\] load (.+)$/.exec(line.trim());
    return match ? [match[1]!] : [];
  });
}

/** host:port targets the server connected to (from net-spy lines). */
export function outboundConnections(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const match = /^\[net-spy\] connect (.+)$/.exec(line.trim());
    return match ? [match[1]!] : [];
  });
}

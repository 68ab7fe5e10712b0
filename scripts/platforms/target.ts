/**
 * One deployment target (Fly.io, Railway, Render) as the release and preview steps drive it. Each
 * platform module implements it against the platform's own API; scripts/deploy-platform.ts is the
 * command line around them, and tests/support has a stand-in for each API.
 */
import { randomBytes } from "node:crypto";
import type { Env } from "./config";

export type Log = (line: string) => void;

export interface PreviewRequest {
  pr: number;
  image: string;
  /** The preview's own database (created, migrated and seeded before the deploy). */
  databaseUrl: string;
}

export interface DeployTarget {
  readonly platform: "fly" | "railway" | "render";
  /** The image serving now, read from the platform (undefined before the first release). */
  currentImage(): Promise<string | undefined>;
  /**
   * Applies the manifest's deploy settings and deploys `image`: the web process first (its release
   * step migrates before traffic moves), then the worker. Resolves once the platform reports both
   * live; throws when it reports a failure.
   */
  deploy(image: string): Promise<void>;
  /** Reads back what the platform applied: one line per difference from the manifest, [] when none. */
  verify(image: string): Promise<string[]>;
  /** Serves `image` (the release that served before) again, the platform's way. */
  rollback(image: string): Promise<void>;
  /** Creates or updates the pull request's preview and returns its public URL. */
  createPreview(request: PreviewRequest): Promise<{ url: string }>;
  /** Removes everything the pull request's preview created on the platform (nothing when none). */
  destroyPreview(pr: number): Promise<void>;
}

/**
 * A platform's public URL for `domain`: https://<domain>. PUBLIC_URL_TEMPLATE replaces it for the
 * local stand-ins only, which serve every deployed app on one loopback port.
 */
export function publicUrl(env: Env, domain: string): string {
  return (env.PUBLIC_URL_TEMPLATE?.trim() || "https://{domain}").replace("{domain}", domain);
}

/**
 * The environment a preview runs with besides its DATABASE_URL: the demo's local sign-in (the
 * seeded users) with its own session secret, and no Clerk or Redis (a preview shares nothing).
 */
export function previewEnvironment(databaseUrl: string, appUrl?: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    AUTH_MODE: "local",
    SESSION_SECRET: randomBytes(32).toString("hex"),
    ...(appUrl ? { APP_URL: appUrl } : {}),
  };
}

/** Variables a preview must not inherit from the environment it copies (empty means unset). */
export const PREVIEW_CLEARED = [
  "REDIS_URL",
  "CLERK_SECRET_KEY",
  "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
  "CLERK_WEBHOOK_SECRET",
];

import { randomBytes } from "node:crypto";
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import postgres from "postgres";
import { Webhook } from "svix";

/**
 * Clerk, offline: a fabricated production instance whose session tokens the test signs itself.
 * Clerk's middleware verifies them networklessly with CLERK_JWT_KEY (the public half), so the real
 * Clerk code path runs without Clerk's servers. See docs/auth.md, "Testing".
 */

/** pk_live_ + base64("clerk.example.com$"): a syntactically valid production publishable key. */
const PUBLISHABLE_KEY = `pk_live_${Buffer.from("clerk.example.com$").toString("base64")}`;
/** The app origin the tokens name as `azp`; the server lists it in CLERK_AUTHORIZED_PARTIES. */
const APP_ORIGIN = "https://app.slipway.test";
const ISSUER = "https://clerk.example.com";
const KEY_ID = "ins_slipway_test";

export interface ClerkKit {
  privateKey: CryptoKey;
  publicKeyPem: string;
  webhookSecret: string;
}

export async function createClerkKit(): Promise<ClerkKit> {
  // RSA-2048: Clerk refuses smaller keys.
  const { privateKey, publicKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  return {
    privateKey,
    publicKeyPem: await exportSPKI(publicKey),
    webhookSecret: `whsec_${randomBytes(24).toString("base64")}`,
  };
}

/** Environment for the production server in Clerk mode. */
export function clerkServerEnv(kit: ClerkKit, databaseUrl: string): Record<string, string | undefined> {
  return {
    HOSTNAME: "0.0.0.0", // with 127.0.0.1 Clerk's middleware keeps redirecting to itself
    AUTH_MODE: "clerk",
    SESSION_SECRET: undefined,
    DATABASE_URL: databaseUrl,
    CLERK_SECRET_KEY: `sk_live_${randomBytes(16).toString("hex")}`,
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: PUBLISHABLE_KEY,
    CLERK_JWT_KEY: kit.publicKeyPem,
    CLERK_AUTHORIZED_PARTIES: APP_ORIGIN,
    CLERK_WEBHOOK_SECRET: kit.webhookSecret,
    NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED: "1",
  };
}

export interface SessionOptions {
  userId: string;
  org?: { id: string; role: "admin" | "member"; slug: string };
  azp?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

export interface Session {
  token: string;
  issuedAt: number;
}

/** A Clerk session token (claims v2) signed with the kit's private key. */
export async function sessionToken(kit: ClerkKit, options: SessionOptions): Promise<Session> {
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 300;
  const issuedAt = expiresIn > 0 ? now - 5 : now + expiresIn - 60;
  const token = await new SignJWT({
    azp: options.azp ?? APP_ORIGIN,
    sid: `sess_${randomBytes(8).toString("hex")}`,
    v: 2,
    ...(options.org ? { o: { id: options.org.id, rol: options.org.role, slg: options.org.slug } } : {}),
  })
    .setProtectedHeader({ alg: "RS256", kid: KEY_ID, typ: "JWT" })
    .setSubject(options.userId)
    .setIssuer(ISSUER)
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(now + expiresIn)
    .sign(kit.privateKey);
  return { token, issuedAt };
}

/** Browser-like document request headers carrying the session cookies. */
export function pageHeaders(session?: Session): Record<string, string> {
  const headers: Record<string, string> = { accept: "text/html", "sec-fetch-dest": "document" };
  if (session) headers.cookie = `__session=${session.token}; __client_uat=${session.issuedAt}`;
  return headers;
}

export function apiHeaders(session?: Session): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (session) headers.authorization = `Bearer ${session.token}`;
  return headers;
}

/** A unique suffix, so tests sharing the database never collide. */
export const unique = () => randomBytes(4).toString("hex");

/** Signs a webhook body exactly as Clerk (svix) does. */
export function signWebhook(
  secret: string,
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomBytes(8).toString("hex")}`;
  const at = options.at ?? new Date();
  return {
    "content-type": "application/json",
    "svix-id": id,
    "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
    "svix-signature": new Webhook(secret).sign(id, at, body),
  };
}

/** A superuser connection for assertions (bypasses row-level security). */
export function openDatabase(url: string) {
  return postgres(url, { max: 2, onnotice: () => {} });
}

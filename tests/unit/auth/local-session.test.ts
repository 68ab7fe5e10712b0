import { describe, expect, it } from "vitest";
import {
  createLocalSessionToken,
  localSessionCookie,
  verifyLocalSessionToken,
} from "@/lib/auth/providers/local/session-token";

const secret = "s".repeat(40);
const session = { userId: "6f1c0a3e-6f2b-4b7e-9d38-1f1c7c2a9a10", tenantId: "0b8f7c1e-2d3a-4f5b-8c9d-0e1f2a3b4c5d" };

describe("local session tokens", () => {
  it("round-trips the user and tenant", async () => {
    expect(await verifyLocalSessionToken(await createLocalSessionToken(session, secret), secret)).toMatchObject(
      session,
    );
  });

  it("gives every new session its own id, and keeps a given one", async () => {
    const first = await verifyLocalSessionToken(await createLocalSessionToken(session, secret), secret);
    const second = await verifyLocalSessionToken(await createLocalSessionToken(session, secret), secret);
    expect(first?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.sessionId).not.toBe(first?.sessionId);
    const given = await createLocalSessionToken({ ...session, sessionId: "session-1" }, secret);
    expect((await verifyLocalSessionToken(given, secret))?.sessionId).toBe("session-1");
  });

  it("rejects a token signed with another secret", async () => {
    const forged = await createLocalSessionToken(session, "x".repeat(40));
    expect(await verifyLocalSessionToken(forged, secret)).toBeNull();
  });

  it("rejects an unsigned token (alg: none) carrying a valid payload", async () => {
    const signed = await createLocalSessionToken(session, secret);
    const [, payload] = signed.split(".");
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    expect(await verifyLocalSessionToken(`${header}.${payload}.`, secret)).toBeNull();
  });

  it("rejects an expired token", async () => {
    const old = await createLocalSessionToken(session, secret, new Date(Date.now() - 8 * 24 * 3600 * 1000));
    expect(await verifyLocalSessionToken(old, secret)).toBeNull();
  });

  it("rejects a token issued in the future beyond the clock skew, and accepts one within it", async () => {
    const now = new Date();
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    expect(
      await verifyLocalSessionToken(await createLocalSessionToken(session, secret, later(120)), secret, now),
    ).toBeNull();
    expect(
      await verifyLocalSessionToken(await createLocalSessionToken(session, secret, later(10)), secret, now),
    ).toMatchObject(session);
  });

  it("rejects garbage and a missing cookie", async () => {
    expect(await verifyLocalSessionToken("not.a.jwt", secret)).toBeNull();
    expect(await verifyLocalSessionToken(undefined, secret)).toBeNull();
  });

  it("sets the cookie httpOnly and SameSite=Lax, Secure only when asked", () => {
    expect(localSessionCookie("t", true)).toMatchObject({ httpOnly: true, sameSite: "lax", secure: true, path: "/" });
    expect(localSessionCookie("t", false).secure).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { clerkMiddlewareOptions } from "@/lib/auth/providers/clerk/proxy";
import type { ServerEnv } from "@/lib/env";

const env = {
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: "pk_live_abc",
  CLERK_SECRET_KEY: "sk_live_secret",
  CLERK_JWT_KEY: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
  APP_URL: "https://app.example.com",
} as ServerEnv;

describe("clerkMiddlewareOptions", () => {
  it("passes the publishable key, the JWT key and the authorized parties explicitly", () => {
    expect(clerkMiddlewareOptions(env)).toMatchObject({
      publishableKey: "pk_live_abc",
      jwtKey: env.CLERK_JWT_KEY,
      authorizedParties: ["https://app.example.com"],
      signInUrl: "/sign-in",
      signUpUrl: "/sign-up",
    });
  });

  it("never passes the secret key (Clerk would then require CLERK_ENCRYPTION_KEY)", () => {
    expect(clerkMiddlewareOptions(env)).not.toHaveProperty("secretKey");
  });
});

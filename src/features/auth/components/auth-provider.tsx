import type { ReactNode } from "react";
import { connection } from "next/server";
import { ClerkProvider } from "@clerk/nextjs";
import { getAuthMode, getEnv, isProduction } from "@/lib/env";
import { SIGN_IN_PATH, SIGN_UP_PATH } from "@/lib/auth";
import { LocalModeBanner } from "./local-mode-banner";

/**
 * Wraps the app in Clerk's provider in Clerk mode (publishable key read at runtime, so one build
 * deploys anywhere), and shows a banner when production runs local auth (public demos).
 */
export async function AuthProvider({ children }: { children: ReactNode }) {
  await connection(); // runtime configuration: never decided at build time
  const env = getEnv();
  if (getAuthMode() === "clerk") {
    return (
      <ClerkProvider
        publishableKey={env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY}
        signInUrl={SIGN_IN_PATH}
        signUpUrl={SIGN_UP_PATH}
        afterSignOutUrl="/"
      >
        {children}
      </ClerkProvider>
    );
  }
  return (
    <>
      {isProduction ? <LocalModeBanner /> : null}
      {children}
    </>
  );
}

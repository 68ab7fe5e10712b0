import "server-only";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { getAuthMode } from "@/lib/env";
import { clerkScreens } from "./clerk";
import { localScreens } from "./local";

/**
 * The sign-in screens and account UI, chosen ONCE here by the auth mode: ./local.tsx (signed cookie
 * over demo users) or ./clerk.tsx (Clerk's components). Pages use these and never branch on the
 * mode. Removing local mode = deleting ./local.tsx and this choice (docs/guides/remove-what-you-do-not-need.md).
 */
const screens = () => (getAuthMode() === "clerk" ? clerkScreens : localScreens);

/** For the app's layout: the mode's provider. Dynamic: the mode is runtime configuration, never decided at build time. */
export async function AuthProvider({ children }: { children: ReactNode }) {
  await connection();
  const { Provider } = screens();
  return <Provider>{children}</Provider>;
}

export function SignInScreen() {
  const { SignInScreen: Screen } = screens();
  return <Screen />;
}

export function SignUpScreen() {
  const { SignUpScreen: Screen } = screens();
  return <Screen />;
}

export function OrganizationPicker() {
  const { OrganizationPicker: Picker } = screens();
  return <Picker />;
}

/** Who is signed in, the organization switcher and signing out, in the mode's own form. */
export function AccountMenu() {
  const { AccountMenu: Menu } = screens();
  return <Menu />;
}

/** Whether members are added, removed and re-roled in this app (local) or in the identity provider (Clerk). */
export function membersManagedInApp(): boolean {
  return screens().membersManagedInApp;
}

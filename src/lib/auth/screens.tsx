import "server-only";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { getAuthMode, type AuthMode } from "@/lib/env";
import type { AuthScreens } from "./provider";
import { clerkScreens } from "./providers/clerk/screens";
import { localScreens } from "./providers/local/screens";

/**
 * The identity providers' sign-in screens and account UI (./provider.ts), chosen ONCE here by the
 * auth mode. Pages use these and never branch on the mode. A separate entry from ./index: the
 * screens import server actions, whose form wrapper (@/lib/forms) imports ./index.
 */
const SCREENS: Record<AuthMode, AuthScreens> = {
  local: localScreens,
  clerk: clerkScreens,
};

const screens = () => SCREENS[getAuthMode()];

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

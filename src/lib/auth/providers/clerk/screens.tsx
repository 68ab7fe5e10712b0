import "server-only";
import { ClerkProvider, OrganizationList, OrganizationSwitcher, SignIn, SignUp, UserButton } from "@clerk/nextjs";
import type { ReactNode } from "react";
import { getEnv } from "@/lib/env";
import type { AuthScreens } from "../../provider";
import { HOME_PATH, SELECT_ORGANIZATION_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "../../route-access";
import { requirePageUser } from "../../tenant";

/**
 * Clerk mode's screens: Clerk's own components. Members and organizations are managed in Clerk
 * (a change made here would be overwritten by the next session token or webhook).
 */

/** Clerk's provider with the publishable key read at runtime, so one build deploys anywhere. */
function Provider({ children }: { children: ReactNode }) {
  return (
    <ClerkProvider
      publishableKey={getEnv().NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY}
      signInUrl={SIGN_IN_PATH}
      signUpUrl={SIGN_UP_PATH}
      afterSignOutUrl="/"
    >
      {children}
    </ClerkProvider>
  );
}

function SignInScreen() {
  return <SignIn path={SIGN_IN_PATH} routing="path" signUpUrl={SIGN_UP_PATH} fallbackRedirectUrl={HOME_PATH} />;
}

function SignUpScreen() {
  return <SignUp path={SIGN_UP_PATH} routing="path" signInUrl={SIGN_IN_PATH} fallbackRedirectUrl={HOME_PATH} />;
}

async function OrganizationPicker() {
  await requirePageUser();
  return (
    <OrganizationList hidePersonal afterSelectOrganizationUrl={HOME_PATH} afterCreateOrganizationUrl={HOME_PATH} />
  );
}

function AccountMenu() {
  return (
    <div className="account-menu">
      <OrganizationSwitcher
        hidePersonal
        afterSelectOrganizationUrl={HOME_PATH}
        afterCreateOrganizationUrl={HOME_PATH}
        afterLeaveOrganizationUrl={SELECT_ORGANIZATION_PATH}
      />
      <UserButton />
    </div>
  );
}

export const clerkScreens: AuthScreens = {
  Provider,
  SignInScreen,
  SignUpScreen,
  OrganizationPicker,
  AccountMenu,
};

import type { ReactNode } from "react";

/** What each auth mode provides (./local.tsx, ./clerk.tsx); ./index.tsx picks one per request. */
export interface AuthScreens {
  /** Whether members are added, removed and re-roled in this app, or in the identity provider. */
  membersManagedInApp: boolean;
  Provider: (props: { children: ReactNode }) => ReactNode;
  SignInScreen: () => ReactNode | Promise<ReactNode>;
  SignUpScreen: () => ReactNode | Promise<ReactNode>;
  OrganizationPicker: () => ReactNode | Promise<ReactNode>;
  AccountMenu: () => ReactNode | Promise<ReactNode>;
}

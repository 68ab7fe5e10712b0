import type { ReactNode } from "react";
import { AuthProvider } from "@/lib/auth/screens";

/** The signed-in app and its sign-in screens: dynamic, inside the auth mode's provider (Clerk's, in Clerk mode). */
export default function AppLayout({ children }: { children: ReactNode }) {
  return <AuthProvider>{children}</AuthProvider>;
}

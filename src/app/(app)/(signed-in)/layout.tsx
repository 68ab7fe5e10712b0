import type { ReactNode } from "react";
import { AppNavigation } from "@/components/app-navigation";
import { PageFrame } from "@/components/page-frame";
import { SiteHeader } from "@/components/site-header";
import { AccountMenu } from "@/lib/auth/screens";

/** The signed-in app's frame: its navigation and the account menu in the header. Pages check access themselves. */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return (
    <PageFrame
      header={
        <SiteHeader>
          <AppNavigation />
          <AccountMenu />
        </SiteHeader>
      }
    >
      {children}
    </PageFrame>
  );
}

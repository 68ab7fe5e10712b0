import Link from "next/link";
import { SiteHeader } from "@/components/site-header";
import { AccountMenu } from "./account-menu";

/** The header of the signed-in app area: navigation plus the account menu. */
export function AppHeader() {
  return (
    <SiteHeader>
      <Link href="/projects">Projects</Link>
      <Link href="/members">Members</Link>
      <AccountMenu />
    </SiteHeader>
  );
}

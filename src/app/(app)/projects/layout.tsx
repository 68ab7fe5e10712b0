import type { ReactNode } from "react";
import { SiteFooter } from "@/components/site-header";
import { AppHeader } from "@/features/auth";

export default function ProjectsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <AppHeader />
      <main id="main" className="container">
        {children}
      </main>
      <SiteFooter />
    </>
  );
}

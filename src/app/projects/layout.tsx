import Link from "next/link";
import type { ReactNode } from "react";
import { SiteFooter, SiteHeader } from "@/components/site-header";

export default function ProjectsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <SiteHeader>
        <Link href="/projects">Projects</Link>
      </SiteHeader>
      <main id="main" className="container">
        {children}
      </main>
      <SiteFooter />
    </>
  );
}

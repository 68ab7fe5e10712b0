import type { ReactNode } from "react";
import { SiteFooter, SiteHeader } from "./site-header";

/**
 * Every page's frame: the header (the site's by default; the signed-in area's carries its
 * navigation and account menu), the main landmark the skip link targets, and the footer. Layouts
 * render it once for their pages.
 */
export function PageFrame({ header = <SiteHeader />, children }: { header?: ReactNode; children: ReactNode }) {
  return (
    <>
      {header}
      <main id="main" className="container">
        {children}
      </main>
      <SiteFooter />
    </>
  );
}

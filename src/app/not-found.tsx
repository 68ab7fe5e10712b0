import Link from "next/link";
import { SiteFooter, SiteHeader } from "@/components/site-header";

export const metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <>
      <SiteHeader />
      <main id="main" className="container">
        <h1>Page not found</h1>
        <p className="muted">There is nothing at this address. It may have moved, or the link may be wrong.</p>
        <div className="actions">
          <Link className="button" href="/">
            Back to the home page
          </Link>
        </div>
      </main>
      <SiteFooter />
    </>
  );
}

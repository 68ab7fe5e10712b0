import Link from "next/link";
import type { ReactNode } from "react";

export function SiteHeader({ children }: { children?: ReactNode }) {
  return (
    <header className="site-header">
      <div className="container">
        <Link href="/" className="brand">
          Slipway
        </Link>
        <nav className="nav" aria-label="Main">
          {children}
        </nav>
      </div>
    </header>
  );
}

export function SiteFooter() {
  return (
    <footer className="site-footer">
      <div className="container">
        Slipway is open source. Fork it, deploy it unchanged, and replace the example feature with yours.
      </div>
    </footer>
  );
}

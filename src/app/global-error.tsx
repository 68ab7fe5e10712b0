"use client";

import { useEffect } from "react";
import "./globals.css";

/** Last-resort boundary: replaces the root layout, so it renders its own <html>. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // A no-op unless the browser SDK was initialised (a DSN is configured). Loaded here, in the
  // browser, not at import: server-side rendering of every page would load the SDK.
  useEffect(() => {
    void import("@sentry/nextjs").then((Sentry) => Sentry.captureException(error));
  }, [error]);
  return (
    <html lang="en">
      <body>
        <main id="main" className="container">
          <h1>Something went wrong</h1>
          <p className="muted">
            The error has been recorded. Try again, and if it keeps happening, quote this reference:{" "}
            <code>{error.digest ?? "unavailable"}</code>.
          </p>
          <button className="button" type="button" onClick={() => reset()}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}

"use client";

import * as Sentry from "@sentry/nextjs";
import { unstable_isUnrecognizedActionError } from "next/navigation";
import { useEffect } from "react";
import "./globals.css";

/** As in error.tsx: an action from another release reloads once instead of showing an error (ADR 0021). */
function reloadForNewRelease(): boolean {
  const key = "slipway:release-reload";
  if (Date.now() - Number(sessionStorage.getItem(key) ?? 0) < 10_000) return false;
  sessionStorage.setItem(key, String(Date.now()));
  window.location.reload();
  return true;
}

/** Last-resort boundary: replaces the root layout, so it renders its own <html>. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const fromOtherRelease: boolean = unstable_isUnrecognizedActionError(error as unknown);
  // A no-op unless the browser SDK was initialised (a DSN is configured).
  useEffect(() => {
    if (fromOtherRelease && reloadForNewRelease()) return;
    Sentry.captureException(error);
  }, [error, fromOtherRelease]);
  return (
    <html lang="en">
      <body>
        <main id="main" className="container">
          {fromOtherRelease ? (
            <>
              <p className="muted">A new version of this app was released. Reloading…</p>
              <button className="button" type="button" onClick={() => window.location.reload()}>
                Reload
              </button>
            </>
          ) : (
            <>
              <h1>Something went wrong</h1>
              <p className="muted">
                The error has been recorded. Try again, and if it keeps happening, quote this reference:{" "}
                <code>{error.digest ?? "unavailable"}</code>.
              </p>
              <button className="button" type="button" onClick={() => reset()}>
                Try again
              </button>
            </>
          )}
        </main>
      </body>
    </html>
  );
}

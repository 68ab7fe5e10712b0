"use client";

import * as Sentry from "@sentry/nextjs";
import { unstable_isUnrecognizedActionError } from "next/navigation";
import { useEffect } from "react";

/**
 * A form rendered by the previous release, submitted to a new one that does not know its action
 * (deployment skew, ADR 0021): reload once to get the new release's page. False when a reload just
 * happened (something else is wrong: show the error instead of looping).
 */
function reloadForNewRelease(): boolean {
  const key = "slipway:release-reload";
  if (Date.now() - Number(sessionStorage.getItem(key) ?? 0) < 10_000) return false;
  sessionStorage.setItem(key, String(Date.now()));
  window.location.reload();
  return true;
}

export default function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const fromOtherRelease: boolean = unstable_isUnrecognizedActionError(error as unknown);
  useEffect(() => {
    if (fromOtherRelease && reloadForNewRelease()) return;
    Sentry.captureException(error);
  }, [error, fromOtherRelease]);
  if (fromOtherRelease) {
    return (
      <main id="main" className="container">
        <p className="muted">A new version of this app was released. Reloading…</p>
        <button className="button" type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </main>
    );
  }
  return (
    <main id="main" className="container">
      <h1>Something went wrong</h1>
      <p className="muted">
        The error has been recorded. Reference: <code>{error.digest ?? "unavailable"}</code>.
      </p>
      <button className="button" type="button" onClick={() => reset()}>
        Try again
      </button>
    </main>
  );
}

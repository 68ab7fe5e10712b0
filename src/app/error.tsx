"use client";

import { useEffect } from "react";

export default function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // Loaded here, in the browser, not at import: server-side rendering of every page would load the SDK.
  useEffect(() => {
    void import("@sentry/nextjs").then((Sentry) => Sentry.captureException(error));
  }, [error]);
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

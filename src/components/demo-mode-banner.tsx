"use client";

import { useSyncExternalStore } from "react";
import { readPublicConfig, whenPublicConfigReady } from "@/lib/observability/client";

const subscribe = (notify: () => void) => {
  whenPublicConfigReady(notify);
  return () => {};
};

/**
 * Production running local auth (a public demo) says so on every page. Rendered in the browser from
 * the runtime config, so the root layout stays static.
 */
export function DemoModeBanner() {
  const demoMode = useSyncExternalStore(
    subscribe,
    () => readPublicConfig()?.demoMode === true,
    () => false,
  );
  if (!demoMode) return null;
  return (
    <div className="banner" role="status" data-testid="local-mode-banner">
      <div className="container">
        <strong>Demo mode.</strong> Sign-in is open to the listed demo users (AUTH_MODE=local). Do not store anything
        private here.
      </div>
    </div>
  );
}

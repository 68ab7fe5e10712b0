"use client";

/**
 * Typed, cookie-less product analytics (Plausible or Umami). `trackEvent` is a no-op unless the
 * runtime config loaded a provider script (NEXT_PUBLIC_ANALYTICS_PROVIDER plus its site setting).
 * Never pass personal data as props. Browser only.
 */
import { useEffect } from "react";
import { readPublicConfig } from "@/lib/observability/client";

/** Every event we track, with its allowed props. Add an event here before using it. */
export interface AnalyticsEvents {
  "Sign In": { method: "clerk" | "local" };
  "Project Created": Record<string, never>;
}

export type AnalyticsEventName = keyof AnalyticsEvents;
type Props = Record<string, string | number | boolean>;

interface AnalyticsWindow {
  plausible?: (name: string, options?: { props?: Props }) => void;
  umami?: { track: (name: string, props?: Props) => void };
}

/** Sends `name` (with its typed props) to the configured provider; a no-op without one. */
export function trackEvent<N extends AnalyticsEventName>(name: N, props?: AnalyticsEvents[N]): void {
  if (typeof window === "undefined") return;
  const provider = readPublicConfig()?.analytics?.provider;
  const target = window as unknown as AnalyticsWindow;
  try {
    if (provider === "plausible") {
      // Plausible's documented queue: events sent before its script loaded are replayed by it.
      target.plausible ??= Object.assign(
        (...args: unknown[]) => {
          const queue = target.plausible as unknown as { q?: unknown[][] };
          (queue.q ??= []).push(args);
        },
        { q: [] as unknown[][] },
      );
      target.plausible(name, props ? { props: props as Props } : undefined);
    } else if (provider === "umami") target.umami?.track(name, props as Props | undefined);
  } catch {
    // Analytics must never break the page.
  }
}

type EventProps<N extends AnalyticsEventName> =
  AnalyticsEvents[N] extends Record<string, never> ? { props?: undefined } : { props: AnalyticsEvents[N] };

/** Tracks `name` once when rendered: for pages reached after an action (e.g. `?created=1`). */
export function TrackEventOnMount<N extends AnalyticsEventName>({ name, props }: { name: N } & EventProps<N>) {
  useEffect(() => {
    trackEvent(name, props);
    // Once per mount; props are static for a given page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name]);
  return null;
}

/**
 * Typed, cookie-less product analytics. `trackEvent` is a no-op unless the layout loaded a provider
 * script (NEXT_PUBLIC_ANALYTICS_PROVIDER plus its site setting). Never pass personal data as props.
 */
import { readPublicConfig } from "./public-config";

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

export function trackEvent<N extends AnalyticsEventName>(
  name: N,
  ...[props]: AnalyticsEvents[N] extends Record<string, never> ? [] : [AnalyticsEvents[N]]
): void {
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

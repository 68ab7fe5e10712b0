"use client";

import { useEffect, type ComponentProps } from "react";
import { trackEvent, type AnalyticsEventName, type AnalyticsEvents } from "./track-event";

type EventProps<N extends AnalyticsEventName> =
  AnalyticsEvents[N] extends Record<string, never> ? { props?: undefined } : { props: AnalyticsEvents[N] };

function send<N extends AnalyticsEventName>(name: N, props: AnalyticsEvents[N] | undefined): void {
  (trackEvent as (name: N, props?: AnalyticsEvents[N]) => void)(name, props);
}

/** Tracks `name` once when rendered: for pages reached after an action (e.g. `?created=1`). */
export function TrackEventOnMount<N extends AnalyticsEventName>({ name, props }: { name: N } & EventProps<N>) {
  useEffect(() => {
    send(name, props);
    // Once per mount; props are static for a given page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name]);
  return null;
}

/** A form that tracks `event` when submitted (server-action forms in server components). */
export function TrackedForm<N extends AnalyticsEventName>({
  event,
  eventProps,
  ...form
}: ComponentProps<"form"> & { event: N; eventProps?: AnalyticsEvents[N] }) {
  return <form {...form} onSubmit={() => send(event, eventProps)} />;
}

/**
 * Runs in the browser before the app hydrates (Next 16 loads this file for the client; Turbopack
 * requires it). Sentry initialises from the runtime config the layout embeds.
 */
import * as Sentry from "@sentry/nextjs";
import "../sentry.client.config";

export const onRouterTransitionStart = Sentry.captureRouterTransitionStart;

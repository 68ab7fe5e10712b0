import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { DemoModeBanner } from "@/components/demo-mode-banner";
import { WebVitalsReporter } from "@/components/web-vitals-reporter";
import { PUBLIC_CONFIG_PATH } from "@/lib/observability/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Slipway", template: "%s · Slipway" },
  description: "A multi-tenant Next.js SaaS starter with its production infrastructure built in and proven by tests.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

/**
 * Static: nothing here reads the request or runtime configuration, so public pages (landing, 404)
 * are prerendered at build time and served from Next's cache or a CDN. The browser's runtime
 * config (Sentry, analytics, demo mode) arrives as /runtime-config.js instead (ADR 0041).
 */
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <script src={PUBLIC_CONFIG_PATH} defer />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <DemoModeBanner />
        <WebVitalsReporter />
        {children}
      </body>
    </html>
  );
}

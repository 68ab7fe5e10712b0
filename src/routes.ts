import { methods, PAGE_BODY_LIMIT_BYTES, TENANT_API_LIMITS, type RouteTable } from "@/lib/http/routes";

/**
 * THE route table: every path class the server answers, with what it accepts and how it is
 * treated (src/lib/http/route-table.ts explains each field). The server's pipeline, the proxy, the
 * route wrappers, the logs and Sentry read it; nothing else lists paths.
 *
 * Adding a page or an API route needs no change here: a new page falls to `fallback` (signed-in
 * only), a new route under /api/v1 is a tenant API route. Add a rule for a new public page or
 * machine endpoint, and keep the proxy's matcher (src/proxy.ts) in step: a test compares them.
 */
export const routes: RouteTable = {
  rules: [
    {
      name: "static assets",
      paths: ["/_next", "/favicon.ico", "/robots.txt", "/icon.svg"],
      kind: "static",
      access: "skip",
      methods: methods.read,
      bodyLimitBytes: 0,
      quiet: true,
    },
    {
      // Drawn per request on the Edge runtime (src/app/opengraph-image.tsx), for link previews.
      name: "Open Graph image",
      paths: ["/opengraph-image"],
      kind: "static",
      access: "skip",
      methods: methods.read,
      bodyLimitBytes: 0,
    },
    {
      name: "probes",
      paths: ["/health", "/api/health"],
      kind: "probe",
      access: "skip",
      methods: methods.read,
      bodyLimitBytes: 0,
      quiet: true,
    },
    {
      name: "metrics",
      paths: ["/api/metrics"],
      kind: "machine",
      access: "skip",
      methods: methods.read,
      bodyLimitBytes: 0,
      quiet: true,
    },
    {
      name: "webhooks",
      paths: ["/api/webhooks"],
      kind: "machine",
      access: "skip",
      methods: ["POST"],
      // Clerk events are a few kilobytes; the svix signature covers exactly these bytes.
      bodyLimitBytes: 256 * 1024,
      rateLimit: "webhook",
    },
    {
      name: "CSP reports",
      paths: ["/api/csp-report"],
      kind: "machine",
      access: "skip",
      methods: ["POST"],
      bodyLimitBytes: 16 * 1024,
      rateLimit: "csp-report",
    },
    {
      name: "Sentry tunnel",
      paths: ["/monitoring"],
      kind: "machine",
      access: "skip",
      methods: ["POST"],
      bodyLimitBytes: 1024 * 1024,
      rateLimit: "tunnel",
      quiet: true,
    },
    {
      name: "Web Vitals",
      paths: ["/api/vitals"],
      kind: "machine",
      access: "skip",
      methods: ["POST"],
      // A batch of at most five metrics with their attribution is under 2 KiB.
      bodyLimitBytes: 4 * 1024,
      rateLimit: "web-vitals",
      quiet: true,
    },
    {
      name: "runtime config",
      paths: ["/runtime-config.js"],
      kind: "machine",
      access: "skip",
      methods: methods.read,
      bodyLimitBytes: 0,
    },
    {
      name: "tenant API",
      paths: ["/api/v1"],
      kind: "api",
      access: "api",
      methods: methods.all,
      bodyLimitBytes: 16 * 1024,
      callerLimits: TENANT_API_LIMITS,
    },
    {
      name: "other API paths",
      paths: ["/api"],
      kind: "api",
      access: "skip",
      methods: methods.all,
      bodyLimitBytes: 0,
    },
    {
      name: "organization selection",
      paths: ["/select-organization"],
      kind: "page",
      access: "signed-in",
      tenantOptional: true,
      renders: "per-request",
      methods: methods.page,
      bodyLimitBytes: PAGE_BODY_LIMIT_BYTES,
      rateLimit: "page-post",
    },
    {
      name: "landing page",
      paths: ["/"],
      kind: "page",
      access: "public",
      renders: "prerendered",
      methods: methods.read,
      bodyLimitBytes: 0,
    },
    {
      name: "public pages",
      // /invitations/<token>: an invitation link's page, for a signed-in or a new user.
      paths: ["/sign-in", "/sign-up", "/status", "/invitations"],
      kind: "page",
      access: "public",
      renders: "per-request",
      methods: methods.page,
      bodyLimitBytes: PAGE_BODY_LIMIT_BYTES,
      rateLimit: "page-post",
    },
  ],
  fallback: {
    name: "signed-in pages",
    kind: "page",
    access: "signed-in",
    renders: "per-request",
    methods: methods.page,
    bodyLimitBytes: PAGE_BODY_LIMIT_BYTES,
    rateLimit: "page-post",
  },
};

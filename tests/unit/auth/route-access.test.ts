import { describe, expect, it } from "vitest";
import { allowsNoOrganization, authorizedPartiesOf, routeAccess } from "@/lib/auth/route-access";

describe("routeAccess", () => {
  it("never runs auth for health probes, metrics, webhooks and the Sentry tunnel", () => {
    for (const path of [
      "/health/live",
      "/health/ready",
      "/api/health",
      "/api/metrics",
      "/api/webhooks/clerk",
      "/monitoring",
    ]) {
      expect(routeAccess(path)).toBe("skip");
    }
  });

  it("protects the app pages", () => {
    for (const path of ["/projects", "/projects/123/edit", "/members", "/select-organization"]) {
      expect(routeAccess(path)).toBe("page");
    }
  });

  it("treats the versioned API as API (JSON errors, no redirects)", () => {
    expect(routeAccess("/api/v1/projects")).toBe("api");
    expect(routeAccess("/api/v1")).toBe("api");
  });

  it("leaves the landing and sign-in pages public", () => {
    for (const path of ["/", "/sign-in", "/sign-in/factor-one", "/sign-up"]) {
      expect(routeAccess(path)).toBe("public");
    }
  });

  it("matches whole path segments only", () => {
    expect(routeAccess("/projectsx")).toBe("public");
    expect(routeAccess("/healthy")).toBe("public");
  });
});

describe("allowsNoOrganization", () => {
  it("lets a user without an organization reach organization selection only", () => {
    expect(allowsNoOrganization("/select-organization")).toBe(true);
    expect(allowsNoOrganization("/projects")).toBe(false);
  });
});

describe("authorizedPartiesOf", () => {
  it("prefers CLERK_AUTHORIZED_PARTIES, without trailing slashes", () => {
    expect(
      authorizedPartiesOf({
        CLERK_AUTHORIZED_PARTIES: ["https://a.example/", "https://b.example"],
        APP_URL: "https://c.example",
      }),
    ).toEqual(["https://a.example", "https://b.example"]);
  });

  it("falls back to the origin of APP_URL", () => {
    expect(authorizedPartiesOf({ APP_URL: "https://app.example.com/some/path" })).toEqual(["https://app.example.com"]);
  });

  it("is undefined when neither is set", () => {
    expect(authorizedPartiesOf({})).toBeUndefined();
  });
});

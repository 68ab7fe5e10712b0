import { describe, expect, it } from "vitest";
import { refusalFor } from "@/lib/http/front-door";
import { PAGE_BODY_LIMIT_BYTES } from "@/lib/http/limits";

const request = (method: string, url: string, headers: Record<string, string> = {}) => ({ method, url, headers });

describe("the front door", () => {
  it("refuses methods the Fetch API cannot carry with 405 and an Allow header", () => {
    for (const method of ["TRACE", "TRACK", "CONNECT", "PROPFIND"]) {
      expect(refusalFor(request(method, "/"))).toMatchObject({ status: 405, code: "method_not_allowed" });
    }
    expect(refusalFor(request("TRACE", "/"))?.headers?.Allow).toContain("GET");
  });

  it("lets the methods the app answers through", () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect(refusalFor(request(method, "/projects", { "content-length": "10" }))).toBeUndefined();
    }
  });

  it("refuses a path whose percent-encoding does not decode with 400", () => {
    for (const path of ["/projects/%E0%A4%A", "/projects/%", "/api/v1/projects/%zz"]) {
      expect(refusalFor(request("GET", path))).toMatchObject({ status: 400, code: "invalid_path" });
    }
    expect(refusalFor(request("GET", "/projects/%C3%A9?q=%"))).toBeUndefined();
  });

  it("refuses page bodies past the limit (413) or of unknown length (411), before anything is read", () => {
    const tooLarge = String(PAGE_BODY_LIMIT_BYTES + 1);
    expect(refusalFor(request("POST", "/projects/new", { "content-length": tooLarge }))).toMatchObject({ status: 413 });
    expect(refusalFor(request("POST", "/sign-in", { "transfer-encoding": "chunked" }))).toMatchObject({ status: 411 });
    expect(
      refusalFor(request("POST", "/sign-in", { "content-length": String(PAGE_BODY_LIMIT_BYTES) })),
    ).toBeUndefined();
  });

  it("leaves bodies of API routes, webhooks and the tunnel to their own streaming limits", () => {
    for (const path of ["/api/v1/projects", "/api/webhooks/clerk", "/monitoring"]) {
      expect(refusalFor(request("POST", path, { "transfer-encoding": "chunked" }))).toBeUndefined();
      expect(refusalFor(request("POST", path, { "content-length": "99999999" }))).toBeUndefined();
    }
  });
});

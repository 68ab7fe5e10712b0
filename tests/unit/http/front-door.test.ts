import { describe, expect, it } from "vitest";
import { bodyRefusal, needsBodyCheck, overloadRefusal, refusalFor } from "@/lib/http/front-door";
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

  it("refuses a Next-Action header that cannot be a server action id (Next would log an error), and passes a real one", () => {
    for (const id of [
      "'; drop table projects; --",
      "abc",
      "7f".repeat(22),
      "7F9D32E68C46238C6004C3E8F339AFB6077EAE2C6A",
    ]) {
      expect(refusalFor(request("POST", "/projects/new", { "next-action": id }))).toMatchObject({
        status: 400,
        code: "invalid_action",
      });
    }
    const real = "7f9d32e68c46238c6004c3e8f339afb6077eae2c6a";
    expect(
      refusalFor(request("POST", "/projects/new", { "next-action": real, "content-length": "10" })),
    ).toBeUndefined();
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

describe("the front door's body check (what Next would answer with a 500)", () => {
  it("checks server-action calls and multipart form posts to pages, nothing else", () => {
    const action = { "next-action": "7f9d32e68c46238c6004c3e8f339afb6077eae2c6a" };
    expect(needsBodyCheck(request("POST", "/projects/new", action))).toBe(true);
    expect(needsBodyCheck(request("POST", "/sign-in", { "content-type": "multipart/form-data; boundary=x" }))).toBe(
      true,
    );
    expect(needsBodyCheck(request("POST", "/sign-in", { "content-type": "application/x-www-form-urlencoded" }))).toBe(
      false,
    );
    expect(needsBodyCheck(request("GET", "/projects/new", action))).toBe(false);
    expect(needsBodyCheck(request("POST", "/api/v1/projects", { "content-type": "multipart/form-data" }))).toBe(false);
  });

  it("refuses a multipart body that does not parse (no boundary, or a broken one) and an action body that is not JSON", async () => {
    const refused = { status: 400, code: "invalid_body" };
    expect(await bodyRefusal("multipart/form-data", Buffer.from("null"))).toMatchObject(refused);
    expect(await bodyRefusal("multipart/form-data; boundary=fuzz", Buffer.from("--other\r\n"))).toMatchObject(refused);
    expect(await bodyRefusal("text/plain;charset=UTF-8", Buffer.from("["))).toMatchObject(refused);
  });

  it("passes a well-formed form and a well-formed action payload", async () => {
    const form = '--fuzz\r\nContent-Disposition: form-data; name="name"\r\n\r\nAlpha\r\n--fuzz--\r\n';
    expect(await bodyRefusal("multipart/form-data; boundary=fuzz", Buffer.from(form))).toBeUndefined();
    expect(await bodyRefusal("text/plain;charset=UTF-8", Buffer.from('[{"status":"idle"},"$K1"]'))).toBeUndefined();
  });
});

describe("load shedding at the front door", () => {
  it("answers 503 with Retry-After once the in-flight requests reach the bound", () => {
    expect(overloadRefusal(99, 100, "/projects")).toBeUndefined();
    expect(overloadRefusal(100, 100, "/projects")).toMatchObject({
      status: 503,
      code: "overloaded",
      headers: { "Retry-After": "1" },
    });
  });

  it("always answers the probes: a busy instance is not a dead one", () => {
    for (const path of ["/health/live", "/health/ready"]) expect(overloadRefusal(1000, 100, path)).toBeUndefined();
  });
});

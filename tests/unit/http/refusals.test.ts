import { describe, expect, it } from "vitest";
import {
  actionIdRefusal,
  admissionRefusal,
  decodedPath,
  lengthRefusal,
  methodRefusal,
  originRefusal,
  pipelineReadsBody,
  targetRefusal,
} from "@/lib/http/refusals";
import { classify, PAGE_BODY_LIMIT_BYTES } from "@/lib/http/routes";
import { routes } from "@/routes";

const classOf = (path: string) => classify(routes, path);

describe("the request target", () => {
  it.each(["/", "/projects?x=1", "/api/v1/projects"])("passes the path %s", (url) =>
    expect(targetRefusal(url)).toBeUndefined(),
  );

  it.each(["*", "http://evil.example/projects", "https://evil.example/", "//evil.example/x", "", undefined])(
    "refuses %j with 400 (asterisk-form, absolute-form, scheme-relative)",
    (url) => expect(targetRefusal(url)).toMatchObject({ status: 400, code: "invalid_target" }),
  );
});

describe("the path's percent-encoding", () => {
  it("decodes a valid path and refuses one that does not decode", () => {
    expect(decodedPath("/projects/%C3%A9")).toBe("/projects/é");
    for (const path of ["/projects/%E0%A4%A", "/projects/%", "/api/v1/projects/%zz"]) {
      expect(decodedPath(path)).toBeUndefined();
    }
  });
});

describe("methods", () => {
  it("answers 405 with the class's Allow for a method the class does not take", () => {
    expect(methodRefusal("POST", classOf("/health/live"))).toMatchObject({
      status: 405,
      headers: { Allow: "GET, HEAD" },
    });
    expect(methodRefusal("DELETE", classOf("/projects"))).toMatchObject({ status: 405 });
    expect(methodRefusal("GET", classOf("/api/webhooks/clerk"))).toMatchObject({ status: 405 });
  });

  it("refuses methods the Fetch API cannot carry, listing the known ones", () => {
    for (const method of ["TRACE", "TRACK", "CONNECT", "PROPFIND"]) {
      expect(methodRefusal(method, classOf("/api/v1/projects"))).toMatchObject({
        status: 405,
        code: "method_not_allowed",
      });
    }
  });

  it("lets every method of the JSON API through", () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect(methodRefusal(method, classOf("/api/v1/projects"))).toBeUndefined();
    }
  });
});

describe("the Next-Action header", () => {
  it.each(["'; drop table projects; --", "abc", "7f".repeat(22), "7F9D32E68C46238C6004C3E8F339AFB6077EAE2C6A"])(
    "refuses %j, which cannot be a server action id (Next would log an error)",
    (id) => expect(actionIdRefusal({ "next-action": id })).toMatchObject({ status: 400, code: "invalid_action" }),
  );

  it("passes a real id and requests without one", () => {
    expect(actionIdRefusal({ "next-action": "7f9d32e68c46238c6004c3e8f339afb6077eae2c6a" })).toBeUndefined();
    expect(actionIdRefusal({})).toBeUndefined();
  });
});

describe("the Origin of a page post (cross-site request forgery)", () => {
  const host = "app.example.com";
  it.each([
    ["a foreign origin", "https://evil.example"],
    ["null", "null"],
    ["a malformed origin", "not a url"],
    ["a javascript: origin", "javascript:alert(1)"],
    ["a subdomain", "https://evil.app.example.com"],
    ["another port", "https://app.example.com:8443"],
  ])("refuses %s with 403", (_what, origin) =>
    expect(originRefusal({ host, origin }, undefined)).toMatchObject({ status: 403, code: "cross_origin_request" }),
  );

  it("refuses a missing Origin", () => {
    expect(originRefusal({ host }, undefined)).toMatchObject({ status: 403 });
  });

  it("passes this host, over either scheme (a proxy in front terminates TLS), and APP_URL's host", () => {
    expect(originRefusal({ host, origin: "https://app.example.com" }, undefined)).toBeUndefined();
    expect(originRefusal({ host, origin: "http://APP.example.com" }, undefined)).toBeUndefined();
    expect(originRefusal({ host: "10.0.0.5:3000", origin: "https://app.example.com" }, host)).toBeUndefined();
  });
});

describe("request bodies", () => {
  const page = classOf("/projects/new");

  it("refuses page bodies past the limit (413) or of unknown length (411), before anything is read", () => {
    const tooLarge = String(PAGE_BODY_LIMIT_BYTES + 1);
    expect(lengthRefusal({ "content-length": tooLarge }, page, true)).toMatchObject({ status: 413 });
    expect(lengthRefusal({ "transfer-encoding": "chunked" }, page, true)).toMatchObject({ status: 411 });
    expect(lengthRefusal({ "content-length": String(PAGE_BODY_LIMIT_BYTES) }, page, true)).toBeUndefined();
  });

  it("refuses each class's bodies past its own limit", () => {
    expect(lengthRefusal({ "content-length": "16385" }, classOf("/api/v1/projects"), false)).toMatchObject({
      status: 413,
    });
    expect(lengthRefusal({ "content-length": "16384" }, classOf("/api/v1/projects"), false)).toBeUndefined();
    expect(lengthRefusal({ "content-length": String(1024 * 1024 + 1) }, classOf("/monitoring"), false)).toMatchObject({
      status: 413,
    });
    expect(lengthRefusal({ "content-length": "1" }, classOf("/health/live"), false)).toMatchObject({
      status: 413,
      message: "This path takes no request body.",
    });
  });

  it("leaves chunked bodies of routes that read their own bodies to their streaming limits", () => {
    for (const path of ["/api/v1/projects", "/api/webhooks/clerk", "/monitoring"]) {
      expect(lengthRefusal({ "transfer-encoding": "chunked" }, classOf(path), false)).toBeUndefined();
    }
  });

  it("reads page posts in the pipeline, and nothing else", () => {
    expect(pipelineReadsBody("POST", page)).toBe(true);
    expect(pipelineReadsBody("POST", classOf("/sign-in"))).toBe(true);
    expect(pipelineReadsBody("GET", page)).toBe(false);
    expect(pipelineReadsBody("POST", classOf("/api/v1/projects"))).toBe(false);
    expect(pipelineReadsBody("POST", classOf("/monitoring"))).toBe(false);
  });
});

describe("admission: fairness and load shedding", () => {
  const limits = { maxInFlight: 100, maxInFlightPerClient: 20 };
  const page = classOf("/projects");

  it("admits below both bounds", () => {
    expect(admissionRefusal({ total: 99, ofClient: 19 }, limits, page)).toBeUndefined();
  });

  it("tells one client past its share to slow down (429), whatever the rest of the load", () => {
    expect(admissionRefusal({ total: 20, ofClient: 20 }, limits, page)).toMatchObject({
      status: 429,
      code: "too_many_in_flight",
      headers: { "Retry-After": "1" },
      held: true,
    });
  });

  it("sheds load past the process's bound (503 with Retry-After)", () => {
    expect(admissionRefusal({ total: 100, ofClient: 0 }, limits, page)).toMatchObject({
      status: 503,
      code: "overloaded",
    });
  });

  it("never sheds probes: a busy instance is not a dead one", () => {
    expect(admissionRefusal({ total: 500, ofClient: 500 }, limits, classOf("/health/ready"))).toBeUndefined();
  });
});

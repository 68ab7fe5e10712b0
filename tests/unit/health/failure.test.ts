import { describe, expect, it } from "vitest";
import { describeFailure, withTimeout } from "@/lib/health/failure";

const withCode = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("describeFailure", () => {
  it("names a refused connection without the address from the message", () => {
    const reason = describeFailure(withCode("ECONNREFUSED", "connect ECONNREFUSED 10.1.2.3:5432"));
    expect(reason).toBe("connection refused");
  });

  it("maps PostgreSQL authentication failures without the user name", () => {
    const reason = describeFailure(withCode("28P01", 'password authentication failed for user "app"'));
    expect(reason).toBe("authentication failed");
  });

  it("maps an unknown host without the host name", () => {
    expect(describeFailure(withCode("ENOTFOUND", "getaddrinfo ENOTFOUND db.internal.example"))).toBe("host not found");
  });

  it("never passes an unknown error's message through", () => {
    const reason = describeFailure(new Error("postgres://app:hunter2@db.internal:5432/app exploded"));
    expect(reason).toBe("unavailable");
  });

  it("recognises ioredis's offline-queue rejection as not connected", () => {
    expect(describeFailure(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(
      "not connected",
    );
  });
});

describe("withTimeout", () => {
  it("rejects with a timeout and calls onTimeout when the promise is too slow", async () => {
    let cancelled = false;
    const never = new Promise<never>(() => {});
    await expect(withTimeout(never, 5, () => (cancelled = true))).rejects.toMatchObject({
      code: "HEALTH_CHECK_TIMEOUT",
    });
    expect(cancelled).toBe(true);
  });

  it("passes a timely result through", async () => {
    await expect(withTimeout(Promise.resolve(42), 1000)).resolves.toBe(42);
  });
});

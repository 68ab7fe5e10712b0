import { describe, expect, it } from "vitest";
import { authorizedPartiesOf } from "@/lib/auth/providers/clerk/proxy";

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

import { describe, expect, it } from "vitest";
import { formActionProblem, replyProblem } from "@/lib/http/action-payload";

const ACTION_ID = "7fc9731842524efb135c2bca2af64c3c6a521cef2f";
const parts = (entries: Record<string, string>) => new Map(Object.entries(entries));
const json = (root: unknown, extra: Record<string, string> = {}) => parts({ "0": JSON.stringify(root), ...extra });

describe("server-action payloads React decodes", () => {
  it("accepts what the browser sends for a form action (state and FormData, captured from Chromium)", () => {
    expect(
      replyProblem(
        parts({
          _1_$ACTION_REF_5: "",
          "_1_$ACTION_5:0": JSON.stringify({ id: ACTION_ID, bound: "$@1" }),
          "_1_$ACTION_5:1": '[{"status":"idle"}]',
          _1_$ACTION_KEY: "k42e945a3ef3816a93b72d1e3c0613504",
          _1_userId: "09f3e87e-a374-4703-a3ad-4c205be6cfe9",
          "0": '[{"status":"idle"},"$K1"]',
        }),
      ),
    ).toBeUndefined();
  });

  it("accepts plain arguments, escaped strings and the scalar encodings", () => {
    expect(
      replyProblem(json(["$$literal", "$u", "$N", "$I", "$-Infinity", "$-0", "$D2026-12-06T00:00:00.000Z", "$n12"])),
    ).toBeUndefined();
    expect(replyProblem(json([{ nested: [1, 2, { deeper: true }] }, null, 3.5]))).toBeUndefined();
  });

  it("accepts references to outlined values, Maps and Sets, and promises of them", () => {
    expect(
      replyProblem(json(["$1", "$Q2", "$W3", "$@1", "$1:a:0"], { "1": '{"a":[5]}', "2": '[["k",1]]', "3": "[1]" })),
    ).toBeUndefined();
  });

  it("accepts a cycle of references (React allows them) without looping", () => {
    expect(replyProblem(json(["$1"], { "1": '["$2"]', "2": '["$1"]' }))).toBeUndefined();
  });

  it.each([
    ["a missing blob", ["$B1"]],
    ["a Map of a missing part", ["$Q1"]],
    ["a server reference", ["$h1"]],
    ["a temporary reference", ["$T"]],
    ["a prototype path", ["$1:__proto__:then"]],
    ["a constructor path", ["$1:constructor"]],
    ["a missing outlined part", ["$5"]],
    ["a reference that is not hex", ["$zz"]],
    ["a typed array", ["$A1"]],
    ["a stream", ["$R1"]],
    ["an iterator", ["$i1"]],
    ["an invalid date", ["$Dyesterday"]],
    ["an oversized bigint", [`$n${"9".repeat(301)}`]],
    ["a promise of a missing part", ["$@9"]],
  ])("refuses %s", (_what, root) => {
    expect(replyProblem(json(root, { "1": '{"a":1}' }))).toBeDefined();
  });

  it("refuses a path that does not exist in the referenced value", () => {
    expect(replyProblem(json(["$1:b"], { "1": '{"a":1}' }))).toBe("reference path not found");
  });

  it("refuses 1 001 arguments, 20 000 levels of nesting, and a flood of values", () => {
    expect(replyProblem(json(Array.from({ length: 1001 }, () => 1)))).toBe("too many arguments");
    expect(replyProblem(parts({ "0": `[${"[".repeat(20_000)}${"]".repeat(20_000)}]` }))).toBe("nested too deeply");
    expect(replyProblem(json([Array.from({ length: 20_000 }, () => 0)]))).toBe("too many values");
  });

  it("refuses arguments that are not a list, or not JSON", () => {
    expect(replyProblem(parts({ "0": '{"a":1}' }))).toBeDefined();
    expect(replyProblem(parts({ "0": "not json" }))).toBeDefined();
    expect(replyProblem(parts({}))).toBeDefined();
  });

  it("refuses __proto__ keys (prototype pollution through a reviver)", () => {
    expect(replyProblem(parts({ "0": '[{"__proto__":{"polluted":1}}]' }))).toBeDefined();
  });

  it("accepts no generated reference outside the allowed encodings (seeded, replayable)", () => {
    let seed = 20261206;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const allowed = new Set(["$", "u", "N", "I", "-", "D", "n", "K", "@", "Q", "W"]);
    for (let round = 0; round < 2000; round++) {
      const tag = String.fromCharCode(33 + Math.floor(random() * 94));
      const tail = Math.floor(random() * 0x30).toString(16);
      const value = `$${tag}${random() < 0.5 ? tail : ""}`;
      const problem = replyProblem(json([value], { "1": "[1]", "2": '{"a":1}' }));
      if (!allowed.has(tag) && !/[0-9a-f]/i.test(tag)) expect(problem, value).toBeDefined();
    }
  });
});

describe("forms posted without JavaScript", () => {
  it("accepts a bound action's metadata and arguments", () => {
    expect(
      formActionProblem(
        parts({
          $ACTION_REF_1: "",
          "$ACTION_1:0": JSON.stringify({ id: ACTION_ID, bound: "$@1" }),
          "$ACTION_1:1": '[{"status":"idle"}]',
          $ACTION_KEY: "k1",
          name: "x",
        }),
      ),
    ).toBeUndefined();
    expect(formActionProblem(parts({ [`$ACTION_ID_${ACTION_ID}`]: "", name: "x" }))).toBeUndefined();
    expect(formActionProblem(parts({ name: "a plain multipart post" }))).toBeUndefined();
  });

  it.each([
    ["an action id that cannot be one", { "$ACTION_ID_x'--": "" }],
    ["missing metadata", { $ACTION_REF_1: "" }],
    ["metadata that is not JSON", { $ACTION_REF_1: "", "$ACTION_1:0": "{" }],
    ["metadata with a bad id", { $ACTION_REF_1: "", "$ACTION_1:0": '{"id":"nope","bound":null}' }],
    ["bound arguments that are missing", { $ACTION_REF_1: "", "$ACTION_1:0": `{"id":"${ACTION_ID}","bound":"$@7"}` }],
    [
      "bound arguments with a prototype path",
      { $ACTION_REF_1: "", "$ACTION_1:0": `{"id":"${ACTION_ID}","bound":"$@1"}`, "$ACTION_1:1": '["$0:__proto__"]' },
    ],
  ])("refuses %s", (_what, entries) => {
    expect(formActionProblem(parts(entries as Record<string, string>))).toBeDefined();
  });
});

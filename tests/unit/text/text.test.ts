import { describe, expect, it } from "vitest";
import { characterCount, text } from "@/lib/text";

const name = text({ label: "Name", max: 10, required: true });
const description = text({ label: "Description", max: 10, multiline: true });

const problem = (schema: typeof name, value: string) => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]!.message;
};

const DECOMPOSED_CAFE = "Cafe\u0301";
const COMPOSED_CAFE = "Caf\u00e9";

describe("text()", () => {
  it("stores one spelling: NFD and NFC 'Café' parse to the same NFC string", () => {
    expect(DECOMPOSED_CAFE).not.toBe(COMPOSED_CAFE);
    expect(name.parse(DECOMPOSED_CAFE)).toBe(COMPOSED_CAFE);
    expect(name.parse(COMPOSED_CAFE)).toBe(COMPOSED_CAFE);
  });

  it("trims spaces and invisible characters at either end", () => {
    expect(name.parse(`  ${COMPOSED_CAFE}\u200b\ufeff `)).toBe(COMPOSED_CAFE);
  });

  it("keeps the joiners inside emoji sequences", () => {
    const family = "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}";
    expect(name.parse(family)).toBe(family);
  });

  it.each([
    ["a right-to-left override", "invoice\u202Egnp.exe"],
    ["a left-to-right embedding", "a\u202Ab"],
    ["a first-strong isolate", "a\u2068b\u2069"],
  ])("refuses %s, naming the characters", (_, value) => {
    expect(problem(name, value)).toBe(
      "Name must not contain text-direction override characters (U+202A to U+202E, U+2066 to U+2069).",
    );
  });

  it("accepts the implicit direction marks right-to-left text needs", () => {
    expect(name.safeParse("\u05e9\u05dc\u05d5\u05dd 2\u200f").success).toBe(true);
  });

  it("refuses a value of zero-width characters only, and says why", () => {
    expect(problem(name, "\u200b\u200c\u200d")).toBe("Name must contain visible characters, not only invisible ones.");
    expect(problem(description, "\u2060")).toBe(
      "Description must contain visible characters, not only invisible ones.",
    );
  });

  it("refuses an empty required value, and accepts an empty optional one", () => {
    expect(problem(name, "   ")).toBe("Name is required.");
    expect(description.parse("  ")).toBe("");
  });

  it("refuses control characters; multi-line text keeps line breaks and tabs", () => {
    expect(problem(name, "a\u0000b")).toBe("Name must be one line, without control characters.");
    expect(problem(name, "a\nb")).toBe("Name must be one line, without control characters.");
    expect(description.parse("one\n\ttwo")).toBe("one\n\ttwo");
    expect(problem(description, "a\u0007b")).toBe(
      "Description must not contain control characters other than line breaks and tabs.",
    );
  });

  it("counts what people see: ten flags or ten emoji families fit a limit of ten, eleven letters do not", () => {
    const flags = "\u{1F1EB}\u{1F1F7}".repeat(10);
    const families = "\u{1F469}\u{1F3FB}\u200d\u2764\ufe0f\u200d\u{1F48B}\u200d\u{1F468}\u{1F3FC}".repeat(10);
    expect(characterCount(families)).toBe(10);
    expect([...families]).toHaveLength(100);
    expect(name.safeParse(flags).success).toBe(true);
    expect(name.safeParse(families).success).toBe(true);
    expect(problem(name, "x".repeat(11))).toBe("Name must be at most 10 characters.");
  });

  it("bounds the code points one character may carry (a letter under 150 accents)", () => {
    expect(characterCount(`e${"\u0301".repeat(150)}`)).toBe(1);
    expect(problem(name, `e${"\u0301".repeat(150)}`)).toBe(
      "Name is too long: it holds too many accents, modifiers or joined emoji.",
    );
  });
});

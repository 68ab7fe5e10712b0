import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildEnvSchema, SECRET_VARIABLES, serverEnvSchema } from "@/lib/env/schema";

const example = readFileSync(path.join(import.meta.dirname, "../../../.env.example"), "utf8");
const exampleNames = example
  .split("\n")
  .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line.trim())?.[1])
  .filter((name): name is string => Boolean(name));

describe(".env.example", () => {
  it("names exactly the variables the schemas validate", () => {
    const schemaNames = [...Object.keys(serverEnvSchema.shape), ...Object.keys(buildEnvSchema.shape)].sort();
    expect([...exampleNames].sort()).toEqual(schemaNames);
  });

  it("lists each variable once", () => {
    expect(new Set(exampleNames).size).toBe(exampleNames.length);
  });

  it("holds no values for secrets", () => {
    for (const name of SECRET_VARIABLES) {
      expect(example).toMatch(new RegExp(`^${name}=$`, "m"));
    }
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";

/** One row of docs/framework-contracts.md's table. */
export interface FrameworkContract {
  number: string;
  name: string;
  /** Where the code relies on it: the file and the text found there (once). */
  file: string;
  text: string;
  /** The test files that pin it. */
  tests: string[];
}

/** The contracts table of docs/framework-contracts.md (tests check it; npm run upgrade:check reports by it). */
export function readFrameworkContracts(root: string): FrameworkContract[] {
  const doc = readFileSync(path.join(root, "docs/framework-contracts.md"), "utf8");
  return doc
    .split("\n")
    .filter((line) => /^\| \d+ +\|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      const [, number, name, where, , pinnedBy] = cells;
      const location = /`([^`]+)` `([^`]+)`/.exec(where!);
      if (!location) throw new Error(`contract ${number}: "where" must read \`file\` \`text\`, got: ${where}`);
      return {
        number: number!,
        name: name!.replace(/`/g, ""),
        file: location[1]!,
        text: location[2]!,
        tests: [...pinnedBy!.matchAll(/`(tests\/[^`]+\.ts)`/g)].map((match) => match[1]!),
      };
    });
}

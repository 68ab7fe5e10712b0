import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../../../scripts/deploy-platform";
import { codeBlocks } from "../../support/runbook";

/**
 * The runbooks' release commands are the script's: every `deploy-platform.ts PLATFORM COMMAND` they
 * show is one the script knows, and every variable the script asks for on that platform is named in
 * the "Variables:" line of the platform's section of docs/runbooks/deploy.md. What the commands do
 * against each platform is tested in tests/unit/deploy/*-pipeline.test.ts.
 */

const COMMAND = /deploy-platform\.ts\s+(\S+)\s+(\S+)/g;
const shown = ["deploy.md", "rollback.md"]
  .flatMap((file) => codeBlocks(file))
  .flatMap((block) =>
    [...block.code.matchAll(COMMAND)].map((match) => ({
      where: `${block.file}:${block.line}`,
      args: [match[1]!, match[2]!],
    })),
  );

const deployRunbook = readFileSync(path.resolve(import.meta.dirname, "../../../docs/runbooks/deploy.md"), "utf8");
const SECTIONS: Record<string, string> = { fly: "Fly.io", railway: "Railway", render: "Render" };
/** The "Variables: ..." line of the platform's ### section in deploy.md. */
const variablesOf = (platform: string) => {
  const section = deployRunbook.split(/^### /m).find((part) => part.startsWith(`${SECTIONS[platform]}\n`)) ?? "";
  return /^Variables: ([\s\S]+?)\n\n/m.exec(`${section}\n\n`)?.[1] ?? "";
};

describe("the runbooks' platform commands", () => {
  it("show each platform's release, and its rollback and verification", () => {
    const commands = new Set(shown.map((command) => command.args.join(" ")));
    for (const platform of Object.keys(SECTIONS))
      for (const command of ["release", "rollback", "verify"])
        expect(commands, platform).toContain(`${platform} ${command}`);
  });

  it.each(shown.map((command) => [command.where, command.args.join(" "), command.args] as const))(
    "%s: `%s` is a command of the script, with the variables the runbook names",
    async (_where, _text, args) => {
      const lines: string[] = [];
      // Without any variable set: a configuration error naming what is missing, never the usage.
      expect(await runCommand([...args], {}, (line) => lines.push(line))).toBe(2);
      const output = lines.join("\n");
      expect(output).not.toContain("usage:");
      const asked = /needs ([A-Z_, ]+) \(unset or empty\)/.exec(output)?.[1]?.split(", ") ?? [];
      expect(asked, output).not.toEqual([]);
      if (args[1]!.startsWith("preview")) return;
      for (const name of asked)
        expect(variablesOf(args[0]!), `deploy.md's ${args[0]} variables`).toContain(`\`${name}\``);
    },
  );
});

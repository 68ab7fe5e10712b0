import path from "node:path";
import { ESLint } from "eslint";
import madge from "madge";
import { describe, expect, it } from "vitest";

/**
 * The boundary rules in eslint.config.mjs refuse what they promise: deep imports into another
 * concern, imports that point the wrong way, and import cycles. Each case lints a deliberate
 * violation with the project's own configuration.
 */

const root = path.resolve(import.meta.dirname, "../../..");
const eslint = new ESLint({ cwd: root });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

// The first lint loads the TypeScript parser and the whole configuration: seconds on a busy 2-core machine.
describe("boundary rules", { timeout: 60_000 }, () => {
  it("refuse a deep import into another concern", async () => {
    expect(await problems("src/app/example/route.ts", 'export { getSql } from "@/lib/db/pool";\n')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*public surface/),
    ]);
    expect(
      await problems("src/app/example/page.tsx", 'export { listProjects } from "@/features/projects/queries";\n'),
    ).toEqual([expect.stringMatching(/^no-restricted-imports/)]);
  });

  it("accept a concern's public surface", async () => {
    expect(
      await problems(
        "src/app/example/page.tsx",
        'export { getDb } from "@/lib/db";\nexport { readPublicConfig } from "@/lib/observability/client";\nexport { listProjects } from "@/features/projects";\n',
      ),
    ).toEqual([]);
  });

  it("refuse imports that point the wrong way", async () => {
    expect(await problems("src/lib/example/index.ts", 'export { listProjects } from "@/features/projects";\n')).toEqual(
      [expect.stringMatching(/^no-restricted-imports: .*src\/lib is infrastructure/)],
    );
    expect(
      await problems("src/features/example/queries.ts", 'export { GET } from "@/app/api/health/route";\n'),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*Features import no page/)]);
    expect(await problems("db/example.ts", 'export { getDb } from "@/lib/db";\n')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*db\/ is the bottom layer/),
    ]);
  });

  it("refuse a relative path into another concern", async () => {
    expect(await problems("src/lib/example/index.ts", 'export { getDb } from "../db";\n')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*not a relative path/),
    ]);
  });

  it("refuse @clerk/* outside the Clerk identity provider, and accept it there", async () => {
    const clerk = 'export { auth } from "@clerk/nextjs/server";\n';
    for (const file of [
      "src/features/example/queries.ts",
      "src/lib/auth/session.ts",
      "src/lib/auth/providers/local/x.ts",
    ]) {
      expect(await problems(file, clerk)).toEqual([
        expect.stringMatching(/^no-restricted-imports: .*Only the Clerk identity provider/),
      ]);
    }
    expect(await problems("src/lib/auth/providers/clerk/example.ts", clerk)).toEqual([]);
  });

  it("let an identity provider reach the auth core beside it and the shared form components, nothing else", async () => {
    const file = "src/lib/auth/providers/local/example.tsx";
    expect(
      await problems(
        file,
        'export { getSession } from "../../session";\nexport { ActionForm } from "@/components/forms";\n',
      ),
    ).toEqual([]);
    expect(await problems(file, 'export { getDb } from "../../../db";\n')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*not a relative path/),
    ]);
    expect(await problems(file, 'export { SiteHeader } from "@/components/site-header";\n')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*shared form components/),
    ]);
    expect(await problems(file, 'export { listProjects } from "@/features/projects";\n')).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*imports no feature/),
    ]);
  });

  it("find an import cycle (madge, as `npm run lint:cycles` runs it)", async () => {
    const result = await madge(path.join(root, "tests/fixtures/boundaries"), {
      fileExtensions: ["ts", "tsx"],
      tsConfig: path.join(root, "tsconfig.json"),
    });
    expect(result.circular()).toEqual([["src/lib/alpha/first.ts", "src/lib/alpha/second.ts"]]);
  });

  it("find no import cycle in the project", async () => {
    const result = await madge(
      ["src", "db", "scripts"].map((dir) => path.join(root, dir)),
      {
        fileExtensions: ["ts", "tsx"],
        tsConfig: path.join(root, "tsconfig.json"),
      },
    );
    expect(result.circular()).toEqual([]);
  });
});

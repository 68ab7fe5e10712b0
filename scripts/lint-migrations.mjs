#!/usr/bin/env node
/**
 * `npm run db:lint`: the migration linter. Runs squawk (npm package squawk-cli, offline) with
 * .squawk.toml over the migrations and fails on any finding: destructive or locking changes (drop or
 * rename a column or table, NOT NULL without a default on an existing table, type changes, an index
 * built without CONCURRENTLY on an existing table, …) are refused unless the statement is marked:
 *
 *   -- squawk-ignore ban-drop-column -- contract: nothing has read projects.legacy since release 0.4
 *   ALTER TABLE "projects" DROP COLUMN "legacy";
 *
 * The marker is squawk's own comment; this wrapper adds one rule: every marker carries a reason
 * after a second `--` (docs/database.md "Migration linting").
 *
 *   node scripts/lint-migrations.mjs                  # db/migrations/*.sql
 *   node scripts/lint-migrations.mjs path/to/*.sql    # other files
 *
 * Prints one `file:line: rule: message` per finding; exit 0 when clean, 1 otherwise.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const MARKER = /--\s*squawk-ignore(?:-file)?\b(.*)$/;
const REASON = /^\s*[\w-]+(?:\s*,\s*[\w-]+)*\s+--\s*(\S.{9,})$/;

const args = process.argv.slice(2);
const files = (
  args.length > 0
    ? args
    : readdirSync(path.join(root, "db/migrations"))
        .filter((file) => file.endsWith(".sql"))
        .sort()
        .map((file) => path.join("db/migrations", file))
).map((file) => path.relative(root, path.resolve(file)));

const findings = [];
for (const file of files) {
  readFileSync(path.join(root, file), "utf8")
    .split("\n")
    .forEach((line, index) => {
      const marker = MARKER.exec(line);
      if (marker && !REASON.test(marker[1])) {
        findings.push(
          `${file}:${index + 1}: squawk-ignore-without-reason: say why after the rules: \`-- squawk-ignore <rule> -- contract: <why it is safe now>\``,
        );
      }
    });
}

const squawk = path.join(root, "node_modules", ".bin", "squawk");
if (!existsSync(squawk)) {
  console.error("db:lint: squawk is not installed (npm install; it ships in squawk-cli's optional packages)");
  process.exit(1);
}
const result = spawnSync(squawk, ["--config", path.join(root, ".squawk.toml"), "--reporter=json", ...files], {
  cwd: root,
  encoding: "utf8",
});
let reported;
try {
  reported = JSON.parse(result.stdout || "[]");
} catch {
  console.error(`db:lint: squawk failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  process.exit(1);
}
if (result.status !== 0 && reported.length === 0) {
  console.error(`db:lint: squawk failed (exit ${result.status}):\n${result.stderr}`);
  process.exit(1);
}
// squawk's lines are 0-based.
for (const finding of reported)
  findings.push(`${finding.file}:${finding.line + 1}: ${finding.rule_name}: ${finding.message}`);

if (findings.length > 0) {
  console.log(findings.join("\n"));
  console.log(
    `\ndb:lint: ${findings.length} finding(s) in ${files.length} migration file(s). Expand/contract: docs/database.md`,
  );
  process.exit(1);
}
console.log(`db:lint: ${files.length} migration file(s), no findings`);

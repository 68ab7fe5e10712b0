import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";

/**
 * Programs that some tests need beyond Node.js. `npm test` must pass on a machine with only Node:
 * outside CI a missing program skips the tests that need it, loudly (a line when the file is
 * collected, and a summary at the end of the run, tests/support/skip-summary-reporter.ts). In CI
 * (CI=true) nothing may skip: a missing program fails the test file.
 *
 *   const skip = missingRequirement("promtool");
 *   describe.skipIf(skip)("alert rules", () => { ... });
 */

interface Requirement {
  /** True when the program is usable here. */
  available: () => boolean;
  /** How to get it (shown in the skip line). */
  install: string;
}

const runs = (command: string, args: string[]) => {
  try {
    return spawnSync(command, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
};

const debianPostgresServer = () => {
  try {
    return readdirSync("/usr/lib/postgresql").some((major) => existsSync(`/usr/lib/postgresql/${major}/bin/postgres`));
  } catch {
    return false;
  }
};

const chromiumPath = () =>
  process.env.CHROMIUM_PATH || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export const REQUIREMENTS = {
  chromium: { available: () => Boolean(chromiumPath()), install: "apt-get install chromium" },
  "redis-server": { available: () => runs("redis-server", ["--version"]), install: "apt-get install redis-server" },
  promtool: {
    available: () => runs("promtool", ["--version"]),
    install: "apt-get install --no-install-recommends prometheus",
  },
  prometheus: {
    available: () => runs("prometheus", ["--version"]),
    install: "apt-get install --no-install-recommends prometheus",
  },
  amtool: {
    available: () => runs("amtool", ["--version"]),
    install: "apt-get install --no-install-recommends prometheus-alertmanager",
  },
  // Debian names the Alertmanager binary prometheus-alertmanager (amtool comes with it).
  alertmanager: {
    available: () => runs("prometheus-alertmanager", ["--version"]),
    install: "apt-get install --no-install-recommends prometheus-alertmanager",
  },
  pushgateway: {
    available: () => runs("prometheus-pushgateway", ["--version"]),
    install: "apt-get install --no-install-recommends prometheus-pushgateway",
  },
  curl: { available: () => runs("curl", ["--version"]), install: "apt-get install curl" },
  openssl: { available: () => runs("openssl", ["version"]), install: "apt-get install openssl" },
  jq: { available: () => runs("jq", ["--version"]), install: "apt-get install jq" },
  psql: { available: () => runs("psql", ["--version"]), install: "apt-get install postgresql-client" },
  pgbackrest: { available: () => runs("pgbackrest", ["version"]), install: "apt-get install pgbackrest" },
  caddy: { available: () => runs("caddy", ["version"]), install: "apt-get install caddy" },
  // Debian's server packages (/usr/lib/postgresql/<major>/bin): clusters whose files a test controls.
  postgresql: { available: debianPostgresServer, install: "apt-get install postgresql" },
  faketime: { available: () => runs("faketime", ["--version"]), install: "apt-get install faketime" },
  shellcheck: { available: () => runs("shellcheck", ["--version"]), install: "apt-get install shellcheck" },
} satisfies Record<string, Requirement>;

export type RequirementName = keyof typeof REQUIREMENTS;

const checked = new Map<RequirementName, boolean>();

/**
 * Undefined when `name` is available; otherwise the reason to skip (outside CI). Throws in CI.
 * `why` says what the skipped tests cover, for the summary.
 */
export function missingRequirement(name: RequirementName, why = ""): string | undefined {
  if (!checked.has(name)) checked.set(name, REQUIREMENTS[name].available());
  if (checked.get(name)) return undefined;
  const reason = `${name} is not installed (${REQUIREMENTS[name].install})${why ? `: ${why}` : ""}`;
  if (process.env.CI === "true") throw new Error(`${reason}. CI runs every test: install it in .ci/run.`);
  recordSkip(reason);
  return reason;
}

/**
 * Why a test may skip: a program this machine lacks (fails in CI, see missingRequirement), or a
 * deployment file the checkout does not have (a fork's choice, tests/unit/deploy/absent.ts).
 */
export type SkipKind = "missing program" | "absent file";

/** Records a skip for the end-of-run summary and prints it now. */
export function recordSkip(reason: string, kind: SkipKind = "missing program"): void {
  const file = process.env.SLIPWAY_SKIP_LOG;
  const where = currentTestFile();
  console.warn(`[skip] ${where ? `${where}: ` : ""}${reason}`);
  if (file) appendFileSync(file, `${JSON.stringify({ file: where, reason, kind })}\n`);
}

function currentTestFile(): string {
  try {
    const testPath = expect.getState().testPath;
    return testPath ? path.relative(process.cwd(), testPath) : "";
  } catch {
    return "";
  }
}

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { read } from "../../../scripts/deploy-files.mjs";
import { upstreamsLine } from "../../support/balancer";
import { missingRequirement } from "../../support/requirements";
import { absent } from "./absent";
import { loadDeployFiles } from "./rules";

const root = path.resolve(import.meta.dirname, "../../..");
const SCRIPT = "scripts/deploy-compose";
const script = read(SCRIPT);
const files = loadDeployFiles();
const caddy = files.compose.merged?.services.caddy;

const shellcheck = (file: string) => spawnSync("shellcheck", ["--format=gcc", file], { cwd: root, encoding: "utf8" });

/**
 * scripts/deploy-compose runs on a VM with Docker only, so it is checked statically here: ShellCheck,
 * and that it drives the compose stack and the Caddyfile the way the release rehearsal does.
 */
describe.skipIf(absent(files, "compose"))("scripts/deploy-compose", () => {
  const skip = missingRequirement("shellcheck", "the compose blue-green script");

  it.skipIf(skip)("passes ShellCheck", () => {
    const result = shellcheck(SCRIPT);
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });

  it("moves the worker to the release after the web containers switched, and back on rollback", () => {
    const deploy = script.slice(script.indexOf("deploy() {"), script.indexOf("rollback() {"));
    const rollback = script.slice(script.indexOf("rollback() {"));
    expect(deploy.indexOf("move_worker")).toBeGreaterThan(deploy.indexOf('switch_over "$old" "$new"'));
    expect(rollback.indexOf("move_worker")).toBeGreaterThan(rollback.indexOf("switch_over"));
    expect(script).toContain("compose up --detach --no-deps --wait worker");
  });

  it.skipIf(skip)("ShellCheck reports an unquoted expansion (the check is live)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-shellcheck-"));
    try {
      writeFileSync(path.join(dir, "broken"), "#!/usr/bin/env bash\ncd $1\n");
      expect(shellcheck(path.join(dir, "broken")).stdout).toContain("SC2086");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rewrites the upstream file that compose mounts into Caddy, in the format the tests' balancer writes", () => {
    const livePath = String(caddy.environment.SLIPWAY_UPSTREAMS_PATH);
    const mount = (caddy.volumes as string[]).find((volume) => livePath.startsWith(`${volume.split(":")[1]}/`))!;
    const onHost = path.posix.join(mount.split(":")[0]!, path.posix.basename(livePath));
    const state = /^state=(\S+)$/m.exec(script)?.[1];
    const written = /^upstreams=(\S+)$/m.exec(script)?.[1]?.replace("$state", state ?? "");
    expect(written).toBe(onHost);
    expect(script).toContain("printf 'to %s:3000\\n'");
    expect(upstreamsLine(["app:3000"])).toBe("to app:3000\n");
  });

  it("reloads Caddy with the Caddyfile compose mounts, and checks health on the app's port", () => {
    const mounted = (caddy.volumes as string[]).find((volume) => volume.startsWith("./ops/caddy/Caddyfile:"))!;
    expect(script).toContain(`caddy reload --config ${mounted.split(":")[1]} --adapter caddyfile`);
    expect(script).toContain("/health/ready");
    expect(script).toContain("/api/health");
  });

  it("gives the old container at least the app's stop_grace_period to drain", () => {
    const grace = Number(/docker stop --time (\d+)/.exec(script)?.[1]);
    expect(grace).toBeGreaterThanOrEqual(
      Number(String(files.compose.merged.services.app.stop_grace_period).replace("s", "")),
    );
  });
});

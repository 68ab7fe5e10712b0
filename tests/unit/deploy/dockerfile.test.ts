import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contextTypeScriptSources, parseDockerfile, read, root } from "../../../scripts/deploy-files.mjs";
import { parse as parseYaml } from "yaml";
import {
  contextImportRules,
  copyOf,
  dockerfileRules,
  dockerignoreRules,
  loadDeployFiles,
  type DeployFiles,
} from "./rules";

const files = loadDeployFiles();
const dockerfileText = read("Dockerfile");

/** The project's files with the Dockerfile text edited; fails the test if the edit did not apply. */
function withDockerfile(edit: (text: string) => string): DeployFiles {
  const text = edit(dockerfileText);
  expect(text, "the fixture edit must change the Dockerfile").not.toBe(dockerfileText);
  return { ...copyOf(files), dockerfile: parseDockerfile(text) };
}

const runnerStart = dockerfileText.indexOf("AS runner");
/** Replaces `from` with `to` inside the runner stage only. */
const inRunner = (from: string | RegExp, to: string) => (text: string) =>
  text.slice(0, runnerStart) + text.slice(runnerStart).replace(from, to);

describe("Dockerfile", () => {
  it("follows every rule", () => {
    expect(dockerfileRules(files)).toEqual([]);
  });

  it("fails when the runner runs as root", () => {
    const broken = withDockerfile(inRunner(/^USER .*$/m, "USER root"));
    expect(dockerfileRules(broken)).toContain("runner stage must end with a non-root USER");
  });

  it("fails when the runner has no USER at all", () => {
    const broken = withDockerfile(inRunner(/^USER .*$/m, ""));
    expect(dockerfileRules(broken)).toContain("runner stage must end with a non-root USER");
  });

  it("fails on a shell-form CMD (signals would reach sh, not node)", () => {
    const broken = withDockerfile(inRunner('CMD ["node", "server.js"]', "CMD node server.js"));
    expect(dockerfileRules(broken)).toContain('runner CMD must be the exec form ["node", "server.js"]');
  });

  it("fails when the HEALTHCHECK needs curl", () => {
    const broken = withDockerfile(
      inRunner(/CMD \["node", "-e".*\]$/m, 'CMD ["curl", "-f", "http://127.0.0.1:3000/health/live"]'),
    );
    expect(dockerfileRules(broken)).toContain(
      "runner HEALTHCHECK must be an exec-form node command (no curl in slim images)",
    );
  });

  it("fails when the HEALTHCHECK probes another path", () => {
    const broken = withDockerfile(inRunner("/health/live", "/"));
    expect(dockerfileRules(broken)).toContain("runner HEALTHCHECK must probe /health/live");
  });

  it("fails when the runner is not the last (default) stage", () => {
    const broken = withDockerfile((text) => `${text}\nFROM base AS extra\nRUN true\n`);
    expect(dockerfileRules(broken)).toContain('the last stage (the default target) must be "runner"');
  });

  it("fails when the base image is not Debian slim with a pinned major", () => {
    const broken = withDockerfile((text) => text.replace(/-bookworm-slim@\S+ AS base/, "-alpine AS base"));
    expect(dockerfileRules(broken)).toContain("base stage must be FROM node:<major>-bookworm-slim");
  });

  it("fails when the base image is not pinned by digest (issue 14, finding 9)", () => {
    const broken = withDockerfile((text) =>
      text.replace(/-bookworm-slim@sha256:[0-9a-f]{64} AS base/, "-bookworm-slim AS base"),
    );
    expect(dockerfileRules(broken)).toContain("the base image must be pinned by digest (@sha256:…)");
  });

  it("fails when the base image comes from a build argument, which Dependabot cannot update", () => {
    const broken = withDockerfile((text) =>
      text.replace(/^FROM (node:24-bookworm-slim@\S+) AS base$/m, "ARG NODE_IMAGE=$1\nFROM ${NODE_IMAGE} AS base"),
    );
    expect(dockerfileRules(broken)).toContain("base stage must be FROM node:<major>-bookworm-slim");
  });

  it("fails on another Node.js major than ADR 0004's", () => {
    const broken = withDockerfile((text) => text.replace("FROM node:24-bookworm-slim@", "FROM node:22-bookworm-slim@"));
    expect(dockerfileRules(broken)).toContain("the base must be Node.js 24 (ADR 0004)");
  });

  it("fails when the runner does not set the graceful-shutdown switch", () => {
    const broken = withDockerfile(inRunner(/\s*NEXT_MANUAL_SIG_HANDLE=true/, ""));
    expect(dockerfileRules(broken)).toContain("runner ENV NEXT_MANUAL_SIG_HANDLE must be true");
  });

  it("fails when EXPOSE and PORT disagree", () => {
    const broken = withDockerfile(inRunner("EXPOSE 3000", "EXPOSE 8080"));
    expect(dockerfileRules(broken)).toContain("runner must EXPOSE exactly its PORT");
  });

  it("fails without the OCI revision label", () => {
    const broken = withDockerfile(inRunner(/org\.opencontainers\.image\.revision="\$\{COMMIT_SHA\}"/, ""));
    expect(dockerfileRules(broken)).toContain("runner lacks OCI label revision");
  });

  it("fails when the migrator is not copied into the runner", () => {
    const broken = withDockerfile(inRunner(/^COPY .*migrate\.mjs.*$/m, ""));
    expect(dockerfileRules(broken)).toContain("runner does not copy /app/db/migrate.mjs");
  });

  it("fails when SENTRY_AUTH_TOKEN is a build arg", () => {
    const broken = withDockerfile((text) =>
      text.replace('ARG APP_VERSION=""', 'ARG APP_VERSION=""\nARG SENTRY_AUTH_TOKEN'),
    );
    expect(dockerfileRules(broken)).toContain(
      "SENTRY_AUTH_TOKEN must come from a secret mount, not ARG (stage builder)",
    );
  });

  it("fails when the server-actions key is a build arg (it would sit in the image history)", () => {
    const broken = withDockerfile((text) =>
      text.replace('ARG APP_VERSION=""', 'ARG APP_VERSION=""\nARG NEXT_SERVER_ACTIONS_ENCRYPTION_KEY'),
    );
    expect(dockerfileRules(broken)).toContain(
      "NEXT_SERVER_ACTIONS_ENCRYPTION_KEY must come from a secret mount, not ARG (stage builder)",
    );
  });

  it("fails when the build does not take the server-actions key from its secret mount", () => {
    const broken = withDockerfile((text) => text.replace("--mount=type=secret,id=server_actions_key", ""));
    expect(dockerfileRules(broken)).toContain(
      "the builder's `npm run build` must read NEXT_SERVER_ACTIONS_ENCRYPTION_KEY from the server_actions_key secret mount",
    );
  });

  it("fails when the build does not take the Sentry token from a secret mount", () => {
    const broken = withDockerfile((text) => text.replace("--mount=type=secret,id=sentry_auth_token", ""));
    expect(dockerfileRules(broken)).toContain(
      "the builder's `npm run build` must read SENTRY_AUTH_TOKEN from the sentry_auth_token secret mount",
    );
  });
});

describe("parseDockerfile", () => {
  it("joins continued lines and skips comments inside them", () => {
    const parsed = parseDockerfile('FROM a AS one\nENV A=1 \\\n# note\n    B=2\nCMD ["x"]\n');
    expect(parsed.stages[0]!.instructions.map(({ keyword, args }) => `${keyword} ${args}`)).toEqual([
      "ENV A=1 B=2",
      'CMD ["x"]',
    ]);
  });
});

describe(".dockerignore", () => {
  it("keeps secrets, env files and build output out of the context", () => {
    expect(dockerignoreRules(files)).toEqual([]);
  });

  it("fails when .env files are no longer excluded", () => {
    const broken = copyOf(files);
    broken.dockerignore = broken.dockerignore.filter((pattern) => pattern !== ".env" && pattern !== ".env.*");
    expect(dockerignoreRules(broken)).toEqual(
      expect.arrayContaining([".dockerignore must exclude .env", ".dockerignore must exclude .env.production"]),
    );
  });

  it("fails when secrets/ is no longer excluded", () => {
    const broken = copyOf(files);
    broken.dockerignore = broken.dockerignore.filter((pattern) => pattern !== "secrets");
    expect(dockerignoreRules(broken)).toContain(".dockerignore must exclude secrets/database_url.txt");
  });

  it("fails when a later pattern re-includes .env", () => {
    const broken = copyOf(files);
    broken.dockerignore.push("!.env");
    expect(dockerignoreRules(broken)).toContain(".dockerignore must exclude .env");
  });

  it("fails when it excludes what the build needs", () => {
    const broken = copyOf(files);
    broken.dockerignore.push("src");
    expect(dockerignoreRules(broken)).toContain(".dockerignore must keep src/app/page.tsx (the build needs it)");
  });

  const sources = contextTypeScriptSources();
  const exists = (file: string) => existsSync(path.join(root, file));

  it("leaves no kept TypeScript file importing one it excludes (next build type-checks them all)", () => {
    expect(Object.keys(sources)).toEqual(expect.arrayContaining(["src/worker.ts", "scripts/dev.ts"]));
    expect(contextImportRules(files.dockerignore, sources, exists)).toEqual([]);
  });

  it("fails when a kept script imports the test harness", () => {
    const kept = files.dockerignore.filter((pattern) => pattern !== "scripts/smoke-server.ts");
    expect(kept).not.toEqual(files.dockerignore);
    const withSmokeServer = { ...sources, "scripts/smoke-server.ts": read("scripts/smoke-server.ts") };
    expect(contextImportRules(kept, withSmokeServer, exists)).toContain(
      "scripts/smoke-server.ts imports tests/support/smtp.ts, which .dockerignore leaves out of the image's build context",
    );
  });
});

describe("base image updates (.github/dependabot.yml)", () => {
  const config = parseYaml(read(".github/dependabot.yml"));
  const ecosystem = (name: string, directory: string) =>
    config.updates.find(
      (update: { "package-ecosystem": string; directory: string }) =>
        update["package-ecosystem"] === name && update.directory === directory,
    );

  it("proposes new digests for both Dockerfiles' bases, npm packages and the workflows' actions", () => {
    expect(config.version).toBe(2);
    for (const [name, directory] of [
      ["docker", "/"],
      ["docker", "/db/postgres"],
      ["npm", "/"],
      ["github-actions", "/"],
    ]) {
      expect(ecosystem(name!, directory!)?.schedule?.interval, `${name} ${directory}`).toBeTruthy();
    }
  });

  it("leaves majors to a decision (ADR 0004; PostgreSQL needs pg_upgrade)", () => {
    expect(ecosystem("docker", "/").ignore).toContainEqual({
      "dependency-name": "node",
      "update-types": ["version-update:semver-major"],
    });
    expect(ecosystem("docker", "/db/postgres").ignore).toContainEqual({
      "dependency-name": "postgres",
      "update-types": ["version-update:semver-major"],
    });
  });
});

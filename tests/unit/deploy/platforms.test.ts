import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { absent } from "./absent";
import { copyOf, flyRules, loadDeployFiles, railwayRules, renderRules, workflowRules } from "./rules";

const files = loadDeployFiles();
type Entry = { key: string; type?: string } & Record<string, unknown>;
const webOf = (render: { services: Entry[] }) => render.services.find((service) => service.type === "web")!;

describe.skipIf(absent(files, "fly"))("fly.toml", () => {
  it("follows every rule", () => {
    expect(flyRules(files)).toEqual([]);
  });

  it("fails when a check duration has no unit (Fly reads a bare number as milliseconds)", () => {
    const broken = copyOf(files);
    broken.fly.http_service.checks[0].timeout = 5;
    expect(flyRules(broken)).toContain("fly check timeout needs a unit (a bare number is milliseconds)");
  });

  it("fails when a secret is put in [env]", () => {
    const broken = copyOf(files);
    broken.fly.env.SESSION_SECRET = "x".repeat(40);
    expect(flyRules(broken)).toContain("fly [env] SESSION_SECRET is a secret: use fly secrets set");
  });

  it("fails without force_https", () => {
    const broken = copyOf(files);
    broken.fly.http_service.force_https = false;
    expect(flyRules(broken)).toContain("fly http_service.force_https must be true");
  });

  it("fails with an unknown deploy strategy", () => {
    const broken = copyOf(files);
    broken.fly.deploy.strategy = "canary-ish";
    expect(flyRules(broken)).toContain("fly [deploy] strategy must be rolling or bluegreen");
  });
});

describe.skipIf(absent(files, "railway"))("railway.json", () => {
  it("follows every rule", () => {
    expect(railwayRules(files)).toEqual([]);
  });

  it("fails with a lower-case builder (Railway expects DOCKERFILE)", () => {
    const broken = copyOf(files);
    broken.railway.build.builder = "dockerfile";
    expect(railwayRules(broken)).toContain('railway build.builder must be "DOCKERFILE"');
  });

  it("fails when the healthcheck timeout is a string", () => {
    const broken = copyOf(files);
    broken.railway.deploy.healthcheckTimeout = "120";
    expect(railwayRules(broken)).toContain("railway deploy.healthcheckTimeout must be a positive number of seconds");
  });
});

describe.skipIf(absent(files, "render"))("render.yaml", () => {
  it("follows every rule", () => {
    expect(renderRules(files)).toEqual([]);
  });

  it("fails when fromDatabase names a database the blueprint lacks", () => {
    const broken = copyOf(files);
    const entry = (webOf(broken.render).envVars as Entry[]).find((candidate) => candidate.key === "DATABASE_URL")!;
    (entry.fromDatabase as { name: string }).name = "slipway-postgres";
    expect(renderRules(broken)).toContain(
      "render DATABASE_URL reads database slipway-postgres, which the blueprint does not define",
    );
  });

  it("needs REDIS_URL only when the blueprint creates a Key Value instance", () => {
    const broken = copyOf(files);
    webOf(broken.render).envVars = (webOf(broken.render).envVars as Entry[]).filter(
      (candidate) => candidate.key !== "REDIS_URL",
    );
    broken.render.services = broken.render.services.filter((service: Entry) => service.type !== "keyvalue");
    expect(renderRules(broken)).toEqual([]);
    broken.render.services.push({ type: "keyvalue", name: "cache", ipAllowList: [] });
    expect(renderRules(broken)).toContain("render web service does not set REDIS_URL");
  });

  it("fails when fromService names the wrong service type", () => {
    const broken = copyOf(files);
    const entry = (webOf(broken.render).envVars as Entry[]).find((candidate) => candidate.key === "REDIS_URL")!;
    (entry.fromService as { type: string }).type = "pserv";
    expect(renderRules(broken)).toContain(
      "render REDIS_URL reads pserv slipway-redis, which the blueprint does not define",
    );
  });

  it("fails when a secret is written into the blueprint", () => {
    const broken = copyOf(files);
    const entries = webOf(broken.render).envVars as Entry[];
    const index = entries.findIndex((candidate) => candidate.key === "SESSION_SECRET");
    entries[index] = { key: "SESSION_SECRET", value: "x".repeat(40) };
    expect(renderRules(broken)).toContain(
      "render SESSION_SECRET is a secret: use generateValue, sync: false or fromDatabase/fromService",
    );
  });

  it("fails when the web service builds the repository instead of running the pipeline's image", () => {
    const broken = copyOf(files);
    webOf(broken.render).runtime = "docker";
    expect(renderRules(broken)).toContain("render web service must use runtime: image (the pipeline's image)");
  });

  it("fails when the Blueprint's image is not the last gated release", () => {
    const broken = copyOf(files);
    (webOf(broken.render).image as { url: string }).url = "ghcr.io/slipway-dev/slipway:latest";
    expect(renderRules(broken)).toContain(
      "render web image.url must be ghcr.io/<owner>/<repo>:production (the last gated release)",
    );
  });
});

describe("GitHub workflows", () => {
  it("every workflow in .github/workflows parses and follows the rules", () => {
    expect(workflowRules(files)).toEqual([]);
  });

  it("fails on a job without runs-on and an unpinned action", () => {
    const broken = copyOf(files);
    broken.workflows[".github/workflows/broken.yml"] = parseYaml(
      "on: push\njobs:\n  test:\n    steps:\n      - uses: actions/checkout\n      - run: npm test\n",
    );
    expect(workflowRules(broken)).toEqual([
      ".github/workflows/broken.yml: job test has neither runs-on nor uses",
      ".github/workflows/broken.yml: job test uses actions/checkout without a version",
    ]);
  });

  it("fails on a workflow without a trigger", () => {
    const broken = copyOf(files);
    broken.workflows[".github/workflows/broken.yml"] = parseYaml(
      "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n",
    );
    expect(workflowRules(broken)).toContain(".github/workflows/broken.yml: no `on` trigger");
  });
});

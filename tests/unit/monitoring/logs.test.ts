import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createLogger } from "@/lib/logger/create-logger";
import { readCompose } from "../../../scripts/deploy-files.mjs";
import { codeBlocks } from "../../support/runbook";

/**
 * The log store (docs/observability.md#log-store), checked statically: Loki and Alloy have no
 * Debian or npm package and this machine runs no containers, so neither program can parse its
 * configuration here. What is checked is what the seeds ask and what the rest of the repository
 * relies on: Loki keeps every stream 30 days and error streams 90; Alloy gives the streams the
 * `level` label that rule selects, from the field the app's logger really writes, and the request
 * id and tenant as structured metadata; compose wires the three together; the runbooks' Loki
 * queries use only those labels and fields.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const loki = parseYaml(readFileSync(path.join(ROOT, "ops/loki/loki.yml"), "utf8"));
const alloy = readFileSync(path.join(ROOT, "ops/alloy/config.alloy"), "utf8");
const compose = readCompose().merged;

const HOURS = { h: 1, d: 24, w: 168 } as const;
/** Hours in a Prometheus-style duration ("720h", "90d"). */
function hours(duration: string): number {
  const match = /^(\d+)([hdw])$/.exec(String(duration));
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * HOURS[match[2] as keyof typeof HOURS];
}

/** The `name = { key = "", ... }` keys of every Alloy block of `kind` (stage.labels, stage.structured_metadata). */
function blockKeys(kind: string): string[] {
  const keys: string[] = [];
  for (const match of alloy.matchAll(new RegExp(`${kind.replace(".", "\\.")} \\{([^}]*\\{[^}]*\\}[^}]*)\\}`, "g"))) {
    keys.push(...[...match[1]!.matchAll(/(\w+)\s*=\s*"/g)].map((key) => key[1]!));
  }
  return keys;
}

/** stage.json's `label = "jsonField"` pairs. */
function jsonExpressions(): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of alloy.matchAll(/stage\.json \{\s*expressions = \{([^}]*)\}/g)) {
    for (const pair of match[1]!.matchAll(/(\w+)\s*=\s*"(\w+)"/g)) pairs[pair[1]!] = pair[2]!;
  }
  return pairs;
}

/** Every `{...}` stream selector in a LogQL query, as label → matcher text. */
function selectorLabels(query: string): string[] {
  return [...query.matchAll(/\{([^}]*)\}/g)].flatMap((selector) =>
    [...selector[1]!.matchAll(/(\w+)\s*(=~|!~|!=|=)/g)].map((matcher) => matcher[1]!),
  );
}

describe("Loki's configuration", () => {
  it("keeps every stream 30 days", () => {
    expect(hours(loki.limits_config.retention_period)).toBe(30 * 24);
  });

  it("keeps error streams 90 days, selected by the level label", () => {
    const rules: { selector: string; period: string; priority: number }[] = loki.limits_config.retention_stream;
    const errors = rules.filter((rule) => /level=~?"[^"]*error/.test(rule.selector));
    expect(errors).toHaveLength(1);
    expect(hours(errors[0]!.period)).toBe(90 * 24);
    expect(errors[0]!.selector).toBe('{level=~"error|fatal"}');
  });

  it("has the compactor apply retention (off by default: logs would live forever)", () => {
    expect(loki.compactor.retention_enabled).toBe(true);
    // Loki 3 refuses retention without a store for delete requests.
    expect(loki.compactor.delete_request_store).toBe(loki.schema_config.configs.at(-1).object_store);
  });

  it("uses the TSDB index and schema v13 (retention and structured metadata need them), and lets queries reach 90 days back", () => {
    expect(loki.schema_config.configs.at(-1)).toMatchObject({ store: "tsdb", schema: "v13" });
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
    expect(hours(loki.limits_config.max_query_lookback)).toBeGreaterThanOrEqual(90 * 24);
  });
});

describe("Alloy's configuration", () => {
  it("ships to the compose loki service on Loki's own port", () => {
    const url = /loki\.write "\w+" \{\s*endpoint \{\s*url = "([^"]+)"/.exec(alloy)?.[1];
    expect(url).toBe(`http://loki:${loki.server.http_listen_port}/loki/api/v1/push`);
  });

  it("turns the app's level into the stream label the retention rule selects", () => {
    expect(blockKeys("stage.labels")).toContain("level");
    expect(jsonExpressions().level).toBe("level");
  });

  it("reads the fields the app's logger really writes: level as a word", () => {
    let line = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        line += chunk.toString();
        done();
      },
    });
    createLogger({ level: "info", knownSecrets: () => [] }, sink).error({ requestId: "r-1", tenantId: "t-1" }, "boom");
    const written = JSON.parse(line);
    expect(written).toMatchObject({ level: "error", requestId: "r-1", tenantId: "t-1" });
    const fields = jsonExpressions();
    expect(written[fields.level!]).toBe("error");
    expect(written[fields.request_id!]).toBe("r-1");
    expect(written[fields.tenant_id!]).toBe("t-1");
  });

  it("keeps request id and tenant as structured metadata, never as labels (one stream per request would follow)", () => {
    expect(blockKeys("stage.structured_metadata")).toEqual(expect.arrayContaining(["request_id", "tenant_id"]));
    expect(blockKeys("stage.labels")).not.toContain("request_id");
    expect(blockKeys("stage.labels")).not.toContain("tenant_id");
  });

  it("labels each stream with its compose service", () => {
    expect(alloy).toMatch(
      /source_labels = \["__meta_docker_container_label_com_docker_compose_service"\]\s*target_label\s*= "service"/,
    );
  });

  it("has balanced braces and closed strings (a truncated edit would not load)", () => {
    const withoutComments = alloy.replace(/^\s*\/\/.*$/gm, "");
    expect(withoutComments.replace(/\\./g, "").split('"').length % 2).toBe(1);
    const code = withoutComments.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    expect(code.split("{").length).toBe(code.split("}").length);
  });
});

describe("the compose monitoring profile's log store", () => {
  it("runs Loki with ops/loki/loki.yml and keeps its data in a volume", () => {
    const service = compose.services.loki;
    expect(service.command).toEqual(["-config.file=/etc/loki/loki.yml"]);
    expect(service.volumes).toEqual(expect.arrayContaining(["./ops/loki:/etc/loki:ro", "loki-data:/loki"]));
    expect(loki.common.path_prefix).toBe("/loki");
  });

  it("runs Alloy with ops/alloy/config.alloy and the Docker socket read-only", () => {
    const service = compose.services.alloy;
    expect(service.command).toContain("/etc/alloy/config.alloy");
    expect(service.volumes).toEqual(
      expect.arrayContaining(["./ops/alloy:/etc/alloy:ro", "/var/run/docker.sock:/var/run/docker.sock:ro"]),
    );
    expect(alloy).toContain('host = "unix:///var/run/docker.sock"');
  });

  it("provisions Grafana's Loki data source from the mounted provisioning folder", () => {
    const datasource = parseYaml(readFileSync(path.join(ROOT, "ops/grafana/provisioning/datasources/loki.yml"), "utf8"))
      .datasources[0];
    expect(datasource).toMatchObject({ type: "loki", uid: "loki", url: `http://loki:${loki.server.http_listen_port}` });
  });
});

describe("the runbooks' Loki queries", () => {
  const runbooks = readdirSync(path.join(ROOT, "docs/runbooks")).filter((file) => file.endsWith(".md"));
  const queries = runbooks.flatMap((file) =>
    codeBlocks(file).flatMap((block) =>
      [...block.code.matchAll(/query=(\{[^']*)'/g)].map((match) => ({
        where: `${file}:${block.line}`,
        query: match[1]!,
      })),
    ),
  );
  const labels = ["service", "level", "container"];

  it("exist", () => {
    expect(queries.length).toBeGreaterThan(0);
  });

  it("select only labels Alloy sets, and only compose services that exist", () => {
    const problems = queries.flatMap(({ where, query }) => [
      ...selectorLabels(query)
        .filter((label) => !labels.includes(label))
        .map((label) => `${where}: label ${label} is not one Alloy sets`),
      ...[...query.matchAll(/service="(\w+)"/g)]
        .map((match) => match[1]!)
        .filter((service) => !compose.services[service])
        .map((service) => `${where}: no compose service ${service}`),
    ]);
    expect(problems).toEqual([]);
  });

  it("filter on structured metadata Alloy attaches", () => {
    const metadata = blockKeys("stage.structured_metadata");
    const problems = queries.flatMap(({ where, query }) =>
      [...query.matchAll(/\|\s*(\w+)\s*=/g)]
        .map((match) => match[1]!)
        .filter((field) => !metadata.includes(field))
        .map((field) => `${where}: ${field} is not structured metadata`),
    );
    expect(problems).toEqual([]);
  });
});

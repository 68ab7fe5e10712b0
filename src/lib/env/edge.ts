/**
 * The part of the configuration the Edge runtime reads (sentry.edge.config.ts, edge routes such as
 * the Open Graph image). Edge code runs in Next's sandbox, which has process.env but no node:fs:
 * each variable here is validated by the same schema field as on the server (./schema.ts), and
 * secrets are known by their direct value only (a secret given as NAME_FILE cannot be read here;
 * the scrubber still drops cookies, authorization headers and tokens by shape). The Node server
 * validated the whole configuration at startup, so these parse.
 */
import { serverEnvSchema, type ServerEnv } from "./schema";
import { nodeEnvOf, releaseOf, secretValuesOf, type NodeEnv } from "./values";

const edgeEnvSchema = serverEnvSchema.pick({
  APP_VERSION: true,
  COMMIT_SHA: true,
  SENTRY_DSN: true,
  SENTRY_ENVIRONMENT: true,
  SENTRY_ERROR_SAMPLE_RATE: true,
  SENTRY_TRACES_SAMPLE_RATE: true,
});

type EdgeEnv = Pick<ServerEnv, keyof typeof edgeEnvSchema.shape>;

let edgeEnv: Readonly<EdgeEnv> | undefined;

/** The Edge runtime's configuration, read once per sandbox. Throws when a variable is invalid. */
export function getEdgeEnv(): Readonly<EdgeEnv> {
  if (edgeEnv) return edgeEnv;
  const parsed = edgeEnvSchema.safeParse(process.env);
  if (!parsed.success)
    throw new Error(
      `Invalid configuration on the Edge runtime: ${parsed.error.issues.map((issue) => issue.path.join(".")).join(", ")}`,
    );
  edgeEnv = Object.freeze(parsed.data);
  return edgeEnv;
}

export const edgeNodeEnv: NodeEnv = nodeEnvOf(process.env);

/** The release name, as on the server (getRelease in ./index.ts). */
export function edgeReleaseName(): string {
  const env = getEdgeEnv();
  return releaseOf(
    env.APP_VERSION ?? process.env.SLIPWAY_BUILD_VERSION ?? "0.0.0",
    env.COMMIT_SHA ?? (process.env.SLIPWAY_BUILD_COMMIT || undefined),
  ).name;
}

/** Configured secret values given directly (not as NAME_FILE), for the scrubber. */
export function edgeSecretValues(): string[] {
  return secretValuesOf(process.env);
}

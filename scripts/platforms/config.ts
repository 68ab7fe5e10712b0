/**
 * Configuration of the platform scripts: environment variables only (the workflows set them from
 * GitHub variables and secrets; a person sets the same ones to run a step by hand), each validated
 * with a message naming what is missing or wrong and never echoing a value.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

/** The named variables, each required and non-empty; one error listing every one missing. */
export function requireEnv<K extends string>(env: Env, names: readonly K[], purpose: string): Record<K, string> {
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length > 0) throw new ConfigError(`${purpose} needs ${missing.join(", ")} (unset or empty)`);
  return Object.fromEntries(names.map((name) => [name, env[name]!.trim()])) as Record<K, string>;
}

/** A positive number from `name`, or `fallback` when unset or empty. */
export function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(`${name} must be a positive number`);
  return value;
}

/** How long a deploy may take on the platform, and how often the scripts look. */
export interface Timings {
  deployTimeoutMs: number;
  pollIntervalMs: number;
}

export function timingsFrom(env: Env): Timings {
  return {
    deployTimeoutMs: positiveNumber(env, "DEPLOY_TIMEOUT_SECONDS", 900) * 1000,
    pollIntervalMs: positiveNumber(env, "DEPLOY_POLL_INTERVAL_MS", 5000),
  };
}

const IMAGE = /^(?<repository>[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)+):(?<tag>[\w][\w.-]{0,127})$/;

/** An image reference `registry/path:tag`; the tag is the commit the release was built from. */
export function parseImage(image: string): { repository: string; tag: string } {
  const match = IMAGE.exec(image.trim());
  if (!match?.groups) throw new ConfigError(`not an image reference with a tag: ${JSON.stringify(image)}`);
  return { repository: match.groups.repository!, tag: match.groups.tag! };
}

/** The pull request number previews are named after. */
export function pullRequestNumber(env: Env): number {
  const raw = requireEnv(env, ["PR_NUMBER"], "a preview").PR_NUMBER;
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw new ConfigError("PR_NUMBER must be a pull request number");
  return Number(raw);
}

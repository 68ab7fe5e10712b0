import { it } from "vitest";
import { PLATFORM_FILES, type Platform } from "../../../scripts/deploy-files.mjs";
import { recordSkip } from "../../support/requirements";
import { presentPlatforms, type DeployFiles } from "./rules";

/**
 * Skips for deployment targets a checkout does not configure. A fork deletes the manifests it
 * does not use (docs/guides/remove-what-you-do-not-need.md): that is a choice, not a missing
 * program, so it never fails CI, but it is never silent either: the skip is printed and listed in
 * the end-of-run summary, once per test file and platform.
 *
 *   describe.skipIf(absent(files, "fly"))("fly.toml", () => { ... });
 *   itWith(files, "render")("fails when Render ...", () => { ... });
 */

const recorded = new Set<Platform>();

/** Undefined when `platform`'s file is present; otherwise why its checks skip (recorded once). */
export function absent(files: DeployFiles, platform: Platform): string | undefined {
  if (presentPlatforms(files).includes(platform)) return undefined;
  const reason = `${PLATFORM_FILES[platform]} is absent: the ${platform} checks are skipped`;
  if (!recorded.has(platform)) {
    recorded.add(platform);
    recordSkip(reason, "absent file");
  }
  return reason;
}

/** `it` when `platform`'s file is present, else `it.skip`. */
export const itWith = (files: DeployFiles, platform: Platform) => (absent(files, platform) ? it.skip : it);

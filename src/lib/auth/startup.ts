import { exportClerkSecretForSdk, getAuthMode, isProduction } from "@/lib/env";
import { getLogger } from "@/lib/logger";

/** Once at server start: prepare Clerk's environment, and say loudly when production runs local auth. */
export function prepareAuthAtStartup(): void {
  exportClerkSecretForSdk();
  const mode = getAuthMode();
  if (isProduction && mode === "local") {
    getLogger().warn(
      { authMode: mode },
      "AUTH_MODE=local in production: anyone can sign in as any listed demo user. Use this only for public demos; set Clerk keys for real users.",
    );
  } else {
    getLogger().info({ authMode: mode }, "authentication mode");
  }
}

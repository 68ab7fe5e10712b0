import { connection } from "next/server";
import { getEnv, getRelease, nodeEnv } from "@/lib/env";
import { PUBLIC_CONFIG_ELEMENT_ID, publicConfig, serializePublicConfig, type AnalyticsConfig } from "./public-config";

function AnalyticsScript({ config }: { config: AnalyticsConfig }) {
  return config.provider === "plausible" ? (
    <script defer data-domain={config.domain} src={config.scriptUrl} />
  ) : (
    <script defer data-website-id={config.websiteId} src={config.scriptUrl} />
  );
}

/**
 * For the root layout's <head>: the browser's runtime config (Sentry DSN, sample rates, analytics)
 * and, when configured, the analytics provider's cookie-less script. Reading config at request time
 * makes pages dynamic, which is what lets one build deploy anywhere.
 */
export async function PublicConfigScripts() {
  await connection();
  const config = publicConfig(getEnv(), nodeEnv, getRelease());
  return (
    <>
      <script
        id={PUBLIC_CONFIG_ELEMENT_ID}
        type="application/json"
        dangerouslySetInnerHTML={{ __html: serializePublicConfig(config) }}
      />
      {config.analytics ? <AnalyticsScript config={config.analytics} /> : null}
    </>
  );
}

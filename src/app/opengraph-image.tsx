import { ImageResponse } from "next/og";
import { reportedOnEdge } from "@/lib/observability/edge";

/**
 * The landing page's Open Graph image (link previews in chats and social sites), drawn per request
 * on the Edge runtime: Next's file convention adds it to the page's metadata (og:image). Its errors
 * reach Sentry from the Edge runtime (reportedOnEdge, sentry.edge.config.ts).
 */
export const runtime = "edge";
export const alt = "Slipway: a multi-tenant Next.js SaaS starter with its production infrastructure built in";
export const size = { width: 1200, height: 630 };
export const contentType = "image/png";

/** The app's icon (src/app/icon.svg), which the build ships beside the route as an asset of its own. */
async function iconDataUrl(): Promise<string> {
  const response = await fetch(new URL("./icon.svg", import.meta.url));
  if (!response.ok) throw new Error(`the Open Graph image's icon could not be read (HTTP ${response.status})`);
  return `data:image/svg+xml;base64,${btoa(await response.text())}`;
}

export default reportedOnEdge("/opengraph-image", async function OpenGraphImage() {
  const icon = await iconDataUrl();
  return new ImageResponse(
    <div
      style={{
        width: "100%",
        height: "100%",
        display: "flex",
        flexDirection: "column",
        justifyContent: "center",
        padding: "80px",
        background: "#0f1115",
        color: "#eef0f4",
      }}
    >
      <div style={{ display: "flex", alignItems: "center" }}>
        <img src={icon} width={112} height={112} alt="" />
        <div style={{ fontSize: 96, fontWeight: 700, color: "#6ea0ff", marginLeft: 32 }}>Slipway</div>
      </div>
      <div style={{ fontSize: 44, marginTop: 24, lineHeight: 1.3 }}>
        Multi-tenant Next.js with its production infrastructure built in and proven by tests.
      </div>
    </div>,
    size,
  );
});

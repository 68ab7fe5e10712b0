import "server-only";
import { getLogger } from "@/lib/logger";

/** Probes must never be answered from a cache between the platform and the process. */
export const NO_STORE_HEADERS = { "Cache-Control": "no-store" } as const;

type Probe = () => Promise<{ httpStatus: number; body: unknown }>;

/**
 * GET and HEAD handlers for a health endpoint: JSON body (none for HEAD), no-store. An unexpected
 * failure answers 503 with a fixed body and is logged; nothing from the error reaches the client.
 */
export function healthResponse(probe: Probe): { GET: () => Promise<Response>; HEAD: () => Promise<Response> } {
  const answer = async (withBody: boolean) => {
    let result: Awaited<ReturnType<Probe>>;
    try {
      result = await probe();
    } catch (error) {
      getLogger().error({ component: "health", err: error }, "health probe failed unexpectedly");
      result = { httpStatus: 503, body: { status: "error" } };
    }
    return withBody
      ? Response.json(result.body, { status: result.httpStatus, headers: NO_STORE_HEADERS })
      : new Response(null, {
          status: result.httpStatus,
          headers: { ...NO_STORE_HEADERS, "Content-Type": "application/json" },
        });
  };
  return { GET: () => answer(true), HEAD: () => answer(false) };
}

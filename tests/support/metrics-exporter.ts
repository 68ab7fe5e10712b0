import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scrape target whose samples the test sets: Prometheus text format on GET /api/metrics (the
 * path of the `slipway` job), for tests that drive alerts through a real Prometheus without an app.
 *
 *   const exporter = await startMetricsExporter();
 *   exporter.set('alert_delivery_check{rule="DeliveryPage",severity="P0"}', 1);
 */
export interface MetricsExporter {
  /** host:port */
  target: string;
  set: (series: string, value: number) => void;
  stop: () => Promise<void>;
}

export async function startMetricsExporter(): Promise<MetricsExporter> {
  const samples = new Map<string, number>();
  const server = createServer((_request, response) => {
    const body = [...samples].map(([series, value]) => `${series} ${value}\n`).join("");
    response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    set: (series, value) => void samples.set(series, value),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import v8 from "@vitest/coverage-v8";
import type { CoverageMap, FileCoverageData } from "istanbul-lib-coverage";
import { serverCoverageMap } from "./server-coverage";

/**
 * vitest's v8 coverage, plus the production servers the integration tests run as child processes
 * (tests/support/server-coverage.ts), merged before the report and the thresholds: most of src/
 * runs only in those servers. Named by vitest.config.ts (`coverage.provider: "custom"`).
 */

interface Provider {
  generateCoverage: (options: { allTestsRun?: boolean }) => Promise<CoverageMap>;
  isIncluded: (file: string) => boolean;
}

const hasHits = (data: FileCoverageData) =>
  Object.values(data.s).some((count) => count > 0) || Object.values(data.f).some((count) => count > 0);

const serverAwareV8 = {
  ...v8,
  async getProvider() {
    const provider = (await v8.getProvider()) as unknown as Provider;
    const ownCoverage = provider.generateCoverage.bind(provider);
    provider.generateCoverage = async (options) => {
      const map = await ownCoverage(options);
      const dir = process.env.SLIPWAY_SERVER_COVERAGE_DIR;
      if (!dir) return map;
      const started = Date.now();
      const servers = await serverCoverageMap(dir, (file) => provider.isIncluded(file));
      for (const file of servers.files()) {
        // vitest lists a file no test loaded with every count at 0, at its own locations; the
        // server's locations differ by a column here and there (another compiler's output mapped
        // back), so merging both would count each of its statements and branches twice. Such a
        // file is the server's alone.
        if (map.files().includes(file) && !hasHits(map.fileCoverageFor(file).data)) {
          map.data[file] = servers.fileCoverageFor(file);
        } else {
          map.addFileCoverage(servers.fileCoverageFor(file));
        }
      }
      console.log(
        `server coverage: ${servers.files().length} files from the production servers (${Date.now() - started} ms)`,
      );
      return map;
    };
    return provider as unknown as Awaited<ReturnType<typeof v8.getProvider>>;
  },
};

export default serverAwareV8;

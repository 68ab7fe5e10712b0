import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "@/lib/logger/create-logger";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", knownSecrets: () => ["known-secret-123456"] }, stream) };
}

class VerificationError extends Error {
  override name = "VerificationError";
}

describe("logged errors", () => {
  it("keep their type, message and stack", () => {
    const { lines, logger } = capture();
    logger.error({ err: new VerificationError("it broke") }, "failed");
    expect(lines[0]!.err).toMatchObject({ type: "VerificationError", message: "it broke" });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain("VerificationError: it broke");
  });

  it("are scrubbed of known secrets", () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error("token known-secret-123456 rejected") }, "failed");
    expect(JSON.stringify(lines[0])).not.toContain("known-secret-123456");
  });
});

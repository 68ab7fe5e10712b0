import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { releaseAbortReasonFrames } from "@/lib/memory";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Aborts a kept controller with an Error created in a function whose receiver is a large object,
 * as React aborts a render's cacheController from inside an Immediate, then drops the object and
 * says whether a full collection freed it.
 */
async function receiverFreedAfterAbort(): Promise<boolean> {
  const controller = new AbortController();
  let receiver: { payload: Uint8Array } | undefined = { payload: new Uint8Array(1024 * 1024) };
  const freed = new WeakRef(receiver);
  controller.abort(
    function createReason(this: unknown) {
      return new Error("This render completed successfully.");
    }.call(receiver),
  );
  receiver = undefined;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const result = freed.deref() === undefined;
  expect(controller.signal.aborted).toBe(true);
  return result;
}

describe("abort reasons", () => {
  it("control: by default a kept signal's reason keeps the receiver of the frame that created it", async () => {
    expect(await receiverFreedAfterAbort()).toBe(false);
  });

  it("keep nothing of the frames that created them once releaseAbortReasonFrames() ran", async () => {
    releaseAbortReasonFrames();
    expect(await receiverFreedAfterAbort()).toBe(true);
    const controller = new AbortController();
    controller.abort(new Error("kept"));
    expect((controller.signal.reason as Error).stack).toContain("kept");
  });
});

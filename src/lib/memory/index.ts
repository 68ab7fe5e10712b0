import { AsyncLocalStorage } from "node:async_hooks";
import { singleton } from "@/lib/singleton";

/**
 * Keeps finished requests collectable. Found with a heap snapshot of the bench's memory run
 * (docs/performance.md): under load the 192 MB heap of a 512 MB VM ran out, holding 2,612 finished
 * requests (180 MB), through two retention paths that the server started at startup now cuts.
 *
 * 1. An abort reason's unformatted stack. React's Flight server aborts each render's
 *    cacheController when the render completes, with an Error created inside a setImmediate
 *    callback; V8 keeps an unread `error.stack` as frames that hold their receivers, here the
 *    Immediate, which holds the async context (the render) it was scheduled in and, through the
 *    queue links Node leaves on run Immediates, every other Immediate of its batch and their
 *    renders: each finished request keeps the next ones alive, without end. Upstream:
 *    react/react#37288 (fix proposed in react/react#37289), vercel/next.js#97351.
 * 2. A long-lived resource's async context: a socket keeps the context it was created in for as
 *    long as it is open, so a pool connection that a request happened to open holds that request.
 */

/** Makes every abort reason's stack a string at once, so its frames (and what they hold) go. */
export function releaseAbortReasonFrames(): void {
  const patch = singleton("memory.abort-reasons", () => ({ installed: false }));
  if (patch.installed) return;
  patch.installed = true;
  const abort = AbortController.prototype.abort;
  AbortController.prototype.abort = function abortAndFormatReason(this: AbortController, reason?: unknown) {
    abort.call(this, reason);
    // Reading `stack` formats it (the aborts a render makes: a few per request, microseconds each).
    const settled: unknown = this.signal.reason;
    if (typeof settled === "object" && settled !== null && "stack" in settled) void settled.stack;
  };
}

const startup = singleton("memory.startup-context", () => ({
  run: undefined as (<T>(fn: () => T) => T) | undefined,
}));

/** Captures the current context as the one `outsideRequests` runs in: once, at startup, before any request. */
export function captureStartupContext(): void {
  startup.run ??= AsyncLocalStorage.snapshot();
}

/**
 * Runs `fn` in the context the server started with (as is, before one was captured: scripts,
 * tests): for resources created while serving a request that outlive it (sockets of a pool).
 */
export function outsideRequests<T>(fn: () => T): T {
  return startup.run ? startup.run(fn) : fn();
}

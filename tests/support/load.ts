import { randomBytes } from "node:crypto";

/**
 * A bounded, constant-rate load generator for the multi-process tests (tests/support/topology.ts)
 * and the release rehearsal. Open loop: a request starts every 1/rate seconds whether or not earlier
 * ones have answered (a slow server shows up as latency and failures, not as a politely slower
 * client), at most `maxInFlight` at once. Node's fetch keeps connections alive, as a browser or
 * another proxy would. Only 127.0.0.1 (or localhost); bounded by duration and by count.
 *
 *   const load = startLoad({ baseUrl: topology.url, ratePerSecond: 40, durationMs: 60_000,
 *     steps: [healthStep(), apiReadStep(cookie), apiWriteStep(cookie)] });
 *   load.mark("switch");            // later failures are counted under this phase
 *   const report = await load.stop();
 */

export interface StepResult {
  status: number;
  /** The release that answered, when the response names it. */
  release?: string;
  /** The first attempt hit a kept-alive connection the server had just closed, and was resent. */
  resent?: boolean;
  /** The response's x-request-id: finds a failed request's log lines. */
  requestId?: string;
}

export interface LoadStep {
  name: string;
  /** Relative frequency among the steps (default 1). */
  weight?: number;
  /** Statuses that count as success (default: 2xx). */
  expect?: (status: number) => boolean;
  run: (baseUrl: string, signal: AbortSignal) => Promise<StepResult>;
}

export interface LoadOptions {
  baseUrl: string;
  ratePerSecond: number;
  /** Hard upper bound: the load stops by itself after this long. */
  durationMs: number;
  /** Hard upper bound on requests started (default: rate × duration). */
  maxRequests?: number;
  maxInFlight?: number;
  /** Per request (default 10 s); a timeout is a failure. */
  timeoutMs?: number;
  steps: LoadStep[];
  /** Response header naming the release (also read by the built-in steps), e.g. x-nextjs-deployment-id. */
  releaseHeader?: string;
}

export interface LoadFailure {
  /** Milliseconds since the load started. */
  atMs: number;
  phase: string;
  step: string;
  reason: string;
  /** The response's x-request-id, when there was a response that named one. */
  requestId?: string;
}

export interface LoadReport {
  durationMs: number;
  requests: number;
  /** Requests not started because maxInFlight were still open (the server fell behind). */
  notSent: number;
  /**
   * Requests resent once because the kept-alive connection was closed before any response (what
   * browsers and Node's own agents do: a proxy reload or drain closes idle connections). Not failures.
   */
  resent: { atMs: number; step: string }[];
  byStatus: Record<string, number>;
  byStep: Record<string, { requests: number; failures: number }>;
  failures: LoadFailure[];
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Releases seen answering, with when they were first and last seen (ms since start). */
  releases: Record<string, { responses: number; firstAtMs: number; lastAtMs: number }>;
  phases: { name: string; startedAtMs: number; requests: number; failures: number }[];
}

export interface RunningLoad {
  /** Starts a named phase: requests started from now on are reported under it. */
  mark: (phase: string) => void;
  /**
   * Resolves once every request started before the call has been answered (or has failed or timed
   * out). A request belongs to the phase it started in: settle before changing the system, or a
   * slow request of the previous phase is answered by the changed one and counted against it.
   */
  settled: () => Promise<void>;
  /** Failures so far (a live view). */
  failures: () => LoadFailure[];
  /** Stops sending, waits for the requests in flight, and reports. */
  stop: () => Promise<LoadReport>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function startLoad(options: LoadOptions): RunningLoad {
  if (!LOOPBACK.has(new URL(options.baseUrl).hostname)) {
    throw new Error(`load is only ever sent to 127.0.0.1, not ${options.baseUrl}`);
  }
  if (!(options.ratePerSecond > 0 && options.ratePerSecond <= 500)) throw new Error("ratePerSecond must be 1..500");
  if (options.steps.length === 0) throw new Error("at least one step");
  const maxRequests = options.maxRequests ?? Math.ceil((options.ratePerSecond * options.durationMs) / 1000);
  const maxInFlight = options.maxInFlight ?? 64;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const weighted = options.steps.flatMap((step) => Array.from({ length: step.weight ?? 1 }, () => step));

  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const latencies: number[] = [];
  const failures: LoadFailure[] = [];
  const resent: LoadReport["resent"] = [];
  const byStatus: Record<string, number> = {};
  const byStep: LoadReport["byStep"] = {};
  const releases: LoadReport["releases"] = {};
  const phases: LoadReport["phases"] = [{ name: "start", startedAtMs: 0, requests: 0, failures: 0 }];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let notSent = 0;
  let running = true;

  const fire = (step: LoadStep) => {
    const phase = phases.at(-1)!;
    phase.requests += 1;
    const stats = (byStep[step.name] ??= { requests: 0, failures: 0 });
    stats.requests += 1;
    const begin = performance.now();
    const fail = (reason: string, requestId?: string) => {
      failures.push({ atMs: since(), phase: phase.name, step: step.name, reason, ...(requestId ? { requestId } : {}) });
      phase.failures += 1;
      stats.failures += 1;
    };
    const request = step
      .run(options.baseUrl, AbortSignal.timeout(timeoutMs))
      .then(({ status, release, resent: wasResent, requestId }) => {
        latencies.push(performance.now() - begin);
        if (wasResent) resent.push({ atMs: since(), step: step.name });
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        if (release) {
          const seen = (releases[release] ??= { responses: 0, firstAtMs: since(), lastAtMs: 0 });
          seen.responses += 1;
          seen.lastAtMs = since();
        }
        if (!(step.expect ?? isSuccess)(status)) fail(`HTTP ${status}`, requestId);
      })
      .catch((error: unknown) => {
        byStatus.error = (byStatus.error ?? 0) + 1;
        fail(describeError(error));
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  const interval = 1000 / options.ratePerSecond;
  let timer: NodeJS.Timeout | undefined;
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const tick = () => {
    if (!running) return;
    // Catch up on ticks a busy event loop delayed, so the rate holds on average.
    const due = Math.min(maxRequests, Math.floor((performance.now() - started) / interval) + 1);
    while (sent < due) {
      sent += 1;
      if (inFlight.size >= maxInFlight) notSent += 1;
      else fire(weighted[sent % weighted.length]!);
    }
    if (sent >= maxRequests || performance.now() - started >= options.durationMs) {
      running = false;
      finished();
      return;
    }
    timer = setTimeout(tick, Math.max(1, started + sent * interval - performance.now()));
  };
  tick();

  return {
    mark: (name) => phases.push({ name, startedAtMs: since(), requests: 0, failures: 0 }),
    settled: async () => {
      await Promise.all([...inFlight]);
    },
    failures: () => [...failures],
    stop: async () => {
      running = false;
      if (timer) clearTimeout(timer);
      finished();
      await done;
      await Promise.all([...inFlight]);
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (p: number) =>
        sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!) : 0;
      return {
        durationMs: since(),
        requests: sent - notSent,
        notSent,
        resent,
        byStatus,
        byStep,
        failures,
        latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) },
        releases,
        phases: phases.filter((phase) => phase.requests > 0 || phase.name !== "start"),
      };
    },
  };
}

const isSuccess = (status: number) => status >= 200 && status < 300;

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (error.name === "TimeoutError") return "client timeout";
  return cause?.code ?? cause?.message ?? error.message;
}

// ---- steps ------------------------------------------------------------------------------------------

/** Errors that mean "the connection was closed before any response", as undici reports them. */
const CLOSED_BEFORE_RESPONSE = new Set(["UND_ERR_SOCKET", "ECONNRESET", "UND_ERR_CLOSED"]);

/**
 * fetch, resent once when it fails before any response because the server closed the kept-alive
 * connection (a browser resends in that case too). Any other failure is the caller's.
 */
export async function send(url: string, init: RequestInit): Promise<{ response: Response; resent: boolean }> {
  // A reload closes all of a server's idle connections at once: the resend waits a moment so the
  // pool has seen them close, and may meet a second one closing (at most 2 resends).
  for (let attempt = 0; ; attempt++) {
    try {
      return { response: await fetch(url, init), resent: attempt > 0 };
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (attempt >= 2 || !code || !CLOSED_BEFORE_RESPONSE.has(code) || init.signal?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const requestIdOf = (response: Response) => response.headers.get("x-request-id") ?? undefined;

/** GET a page or endpoint; the body is read to the end. */
export function readStep(
  path: string,
  options: { cookie?: string; weight?: number; expect?: LoadStep["expect"] } = {},
): LoadStep {
  return {
    name: `GET ${path}`,
    weight: options.weight,
    expect: options.expect,
    run: async (baseUrl, signal) => {
      const { response, resent } = await send(baseUrl + path, {
        signal,
        redirect: "manual",
        headers: options.cookie ? { cookie: options.cookie } : undefined,
      });
      await response.arrayBuffer();
      return {
        status: response.status,
        release: response.headers.get("x-nextjs-deployment-id") ?? undefined,
        resent,
        requestId: requestIdOf(response),
      };
    },
  };
}

/** GET /api/health: reports which release answered (`commit`). */
export function healthStep(weight?: number): LoadStep {
  return {
    name: "GET /api/health",
    weight,
    run: async (baseUrl, signal) => {
      const { response, resent } = await send(`${baseUrl}/api/health`, { signal });
      const body = (await response.json().catch(() => null)) as { commit?: string | null } | null;
      return { status: response.status, release: body?.commit ?? undefined, resent, requestId: requestIdOf(response) };
    },
  };
}

/** A signed-in read of the tenant API (a query under row-level security per request). */
export function apiReadStep(cookie: string, weight?: number): LoadStep {
  return readStep("/api/v1/projects?limit=5", { cookie, weight });
}

/** A signed-in write: creates a project with a unique name through the JSON API (expects 201). */
export function apiWriteStep(cookie: string, weight?: number): LoadStep {
  return {
    name: "POST /api/v1/projects",
    weight,
    expect: (status) => status === 201,
    run: async (baseUrl, signal) => {
      const { response, resent } = await send(`${baseUrl}/api/v1/projects`, {
        method: "POST",
        signal,
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ name: `Load ${randomBytes(6).toString("hex")}`, description: "written under load" }),
      });
      await response.arrayBuffer();
      return { status: response.status, resent, requestId: requestIdOf(response) };
    },
  };
}

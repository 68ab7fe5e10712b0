/**
 * Whether React will decode a server-action payload without throwing, checked before Next sees it
 * (Next answers a payload React refuses with a 500 and an error log; docs/framework-contracts.md,
 * "React Flight replies"). A payload is one or more parts: the arguments ("0", or the whole body
 * when it is not multipart), outlined values ("1", "2"…), FormData entries ("_1_name"), and for a
 * form posted without JavaScript the action's metadata ("$ACTION_5:0") and bound arguments.
 *
 * Only the reply encodings a form action needs are accepted: JSON values, escaped strings ("$$"),
 * undefined, NaN, ±Infinity, -0, dates, bigints, FormData, Maps and Sets, promises of outlined
 * values (bound arguments) and references to outlined values. Server references ("$h"), temporary
 * references ("$T"), blobs, typed arrays, iterators and streams are refused: no action of this app
 * takes them, and each can make React throw on a hand-made payload. Pure.
 */

export interface PayloadLimits {
  /** Nesting of arrays and objects (React recurses; 20 000 levels overflow its stack). */
  maxDepth: number;
  /** Values in the whole payload. */
  maxValues: number;
  /** Arguments of one call (React refuses more than 1 000 bound arguments). */
  maxArguments: number;
}

const PAYLOAD_LIMITS: PayloadLimits = { maxDepth: 64, maxValues: 10_000, maxArguments: 100 };

/** Undefined when the payload decodes; else why not (for tests; the client only gets a 400). */
export type PayloadProblem = string | undefined;

const HEX = /^[0-9a-f]+$/i;
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

interface Walk {
  parts: ReadonlyMap<string, string | Blob>;
  prefix: string;
  limits: PayloadLimits;
  values: number;
  /** Parts already walked (references may repeat, or form cycles). */
  seen: Map<string, unknown>;
}

/** The JSON value of part `id` (under the walk's prefix), walked once; undefined when it is missing or not JSON. */
function part(walk: Walk, id: string): { value: unknown } | string {
  const key = walk.prefix + id;
  if (walk.seen.has(key)) return { value: walk.seen.get(key) };
  const text = walk.parts.get(key);
  if (typeof text !== "string") return `part ${JSON.stringify(key)} is missing`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `part ${JSON.stringify(key)} is not JSON`;
  }
  walk.seen.set(key, value);
  const problem = check(walk, value, 0);
  return problem ?? { value };
}

type Shape = (value: unknown) => boolean;
const anything: Shape = () => true;
/** A Map is built from a list of [key, value] pairs, a Set from a list. */
const mapEntries: Shape = (value) =>
  Array.isArray(value) && value.every((entry) => Array.isArray(entry) && entry.length === 2);
const list: Shape = Array.isArray;

/**
 * A reference "$<hex>[:path]" to an outlined value, following its path as React does (own
 * properties of plain objects and arrays only), to a value of the `shape` its tag needs.
 */
function reference(walk: Walk, body: string, shape: Shape = anything): PayloadProblem {
  const [id, ...path] = body.split(":");
  if (!id || !HEX.test(id)) return `"$${body}" is not a reference`;
  const found = part(walk, String(parseInt(id, 16)));
  if (typeof found === "string") return found;
  let value = found.value;
  for (const key of path) {
    if (UNSAFE_KEYS.has(key)) return `reference path through ${key}`;
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return "reference path not found";
    value = (value as Record<string, unknown>)[key];
  }
  return shape(value) ? undefined : "referenced value of the wrong shape";
}

function checkString(walk: Walk, value: string): PayloadProblem {
  if (value[0] !== "$") return undefined;
  const tag = value[1];
  const rest = value.slice(2);
  switch (tag) {
    case "$":
    case undefined:
      return undefined;
    case "u":
    case "N":
    case "I":
      return rest === "" ? undefined : `unknown value ${JSON.stringify(value.slice(0, 24))}`;
    case "-":
      return value === "$-0" || value === "$-Infinity" ? undefined : "unknown negative value";
    case "D":
      return Number.isNaN(Date.parse(rest)) ? "invalid date" : undefined;
    case "n":
      return /^-?\d{1,300}$/.test(rest) ? undefined : "invalid bigint";
    case "K":
      return HEX.test(rest) ? undefined : "invalid FormData reference";
    case "@":
      return reference(walk, rest);
    case "Q":
      return reference(walk, rest, mapEntries);
    case "W":
      return reference(walk, rest, list);
    default:
      return /[0-9a-f]/i.test(tag) ? reference(walk, value.slice(1)) : `refused encoding "$${tag}"`;
  }
}

function check(walk: Walk, value: unknown, depth: number): PayloadProblem {
  if (++walk.values > walk.limits.maxValues) return "too many values";
  if (typeof value === "string") return checkString(walk, value);
  if (typeof value !== "object" || value === null) return undefined;
  if (depth >= walk.limits.maxDepth) return "nested too deeply";
  const entries = Array.isArray(value) ? value : Object.entries(value);
  for (const entry of entries) {
    if (Array.isArray(value)) {
      const problem = check(walk, entry, depth + 1);
      if (problem) return problem;
    } else {
      const [key, inner] = entry as [string, unknown];
      if (UNSAFE_KEYS.has(key)) return `key ${key}`;
      const problem = check(walk, inner, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** JSON.parse with a nesting bound checked first (a deep text would make the walk's recursion, not JSON.parse, overflow). */
function tooDeep(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "[" || char === "{") {
      if (++depth > maxDepth) return true;
    } else if (char === "]" || char === "}") depth--;
  }
  return false;
}

function walkOf(parts: ReadonlyMap<string, string | Blob>, prefix: string, limits: PayloadLimits): Walk {
  return { parts, prefix, limits, values: 0, seen: new Map() };
}

/** A server action called by React: the arguments in part "0" (a JSON array), with whatever they reference. */
export function replyProblem(
  parts: ReadonlyMap<string, string | Blob>,
  limits: PayloadLimits = PAYLOAD_LIMITS,
): PayloadProblem {
  for (const value of parts.values()) {
    if (typeof value === "string" && tooDeep(value, limits.maxDepth)) return "nested too deeply";
  }
  const walk = walkOf(parts, "", limits);
  const root = part(walk, "0");
  if (typeof root === "string") return root;
  if (!Array.isArray(root.value)) return "the arguments are not a list";
  if (root.value.length > limits.maxArguments) return "too many arguments";
  return undefined;
}

const ACTION_ID = /^[0-9a-f]{42}$/;

/**
 * A form posted without JavaScript (decodeAction): `$ACTION_ID_<id>`, or `$ACTION_REF_<n>` with
 * the action's metadata in `$ACTION_<n>:0` ({ id, bound }) and its bound arguments after it.
 */
export function formActionProblem(
  parts: ReadonlyMap<string, string | Blob>,
  limits: PayloadLimits = PAYLOAD_LIMITS,
): PayloadProblem {
  for (const key of parts.keys()) {
    if (key.startsWith("$ACTION_ID_") && !ACTION_ID.test(key.slice(11))) return "invalid action id";
    if (!key.startsWith("$ACTION_REF_")) continue;
    const walk = walkOf(parts, `$ACTION_${key.slice(12)}:`, limits);
    const metadata = part(walk, "0");
    if (typeof metadata === "string") return metadata;
    const { id, bound } = (metadata.value ?? {}) as { id?: unknown; bound?: unknown };
    if (typeof id !== "string" || !ACTION_ID.test(id)) return "invalid action id";
    if (bound !== null && typeof bound !== "string") return "invalid bound arguments";
    if (typeof bound === "string") {
      const arguments_ = part(walk, String(parseInt(bound.replace(/^\$@/, ""), 16)));
      if (typeof arguments_ === "string") return arguments_;
      if (!Array.isArray(arguments_.value) || arguments_.value.length > limits.maxArguments) {
        return "invalid bound arguments";
      }
    }
  }
  return undefined;
}

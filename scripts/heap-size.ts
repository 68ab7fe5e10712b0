/**
 * How the production image sizes V8's heap: NODE_OPTIONS carries
 * `--max-old-space-size-percentage=P`, and Node (24+) takes P % of the memory it may use (the
 * cgroup limit in a container, the machine's memory in a VM). Pure helpers for the deploy rules
 * (tests/unit/deploy) and the benchmark (bench/run.ts), which runs the servers with the heap the
 * image gives a 512 MB instance. ADR 0060.
 */

export const HEAP_PERCENTAGE_FLAG = "--max-old-space-size-percentage";

/** The percentage NODE_OPTIONS sets, or undefined. */
export function heapPercentageOf(nodeOptions: string | undefined): number | undefined {
  const match = new RegExp(`(?:^|\\s)${HEAP_PERCENTAGE_FLAG}=(\\d+(?:\\.\\d+)?)(?:\\s|$)`).exec(nodeOptions ?? "");
  return match ? Number(match[1]) : undefined;
}

/** Whether NODE_OPTIONS bounds the heap at all (a percentage or a fixed --max-old-space-size). */
export function boundsHeap(nodeOptions: string | undefined): boolean {
  return /(?:^|\s)--max-old-space-size(?:-percentage)?=\d/.test(nodeOptions ?? "");
}

/** The old-space limit in MiB that Node derives from `memoryMb` of memory (it rounds down). */
export function heapMegabytesFor(memoryMb: number, percentage: number): number {
  return Math.floor((memoryMb * percentage) / 100);
}

/** Memory sizes as the manifests write them ("512mb", "768m", "1g", "2GB") in MiB. */
export function memoryMegabytes(value: string | number): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(String(value));
  if (!match) return undefined;
  const unit = (match[2] ?? "b").toLowerCase()[0];
  const factor = { b: 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 }[unit as "b" | "k" | "m" | "g" | "t"];
  return Number(match[1]) * factor;
}

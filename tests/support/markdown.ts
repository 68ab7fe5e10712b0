import { readFileSync } from "node:fs";
import GithubSlugger from "github-slugger";

/** Anchors GitHub generates for a markdown file's headings (code blocks skipped, duplicates numbered). */
export function headingAnchors(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) anchors.add(slugger.slug(heading[1]!.replace(/`/g, "")));
  }
  return anchors;
}

import { z } from "zod";
import { CODE_POINTS_PER_CHARACTER } from "@db/schema";

/**
 * Text people type (names, descriptions): the one zod schema every feature's input uses for it, so
 * that what looks the same is the same and what is counted is what people see.
 *
 * - NFC-normalized: "Café" typed with a composed é and with e + combining accent is one name.
 * - Trimmed of spaces and of invisible characters at either end ("Café" + a zero-width space is
 *   "Café"); a value of nothing but those is refused.
 * - Explicit bidirectional controls (embeddings, overrides, isolates: U+202A–U+202E, U+2066–U+2069)
 *   are refused: invisible, they reorder how the text around them reads ("Trojan Source"). The
 *   implicit marks (LRM, RLM, ALM) stay allowed: right-to-left text needs them.
 * - Control characters are refused (NUL cannot even be stored); multi-line text keeps line breaks
 *   and tabs.
 * - Lengths count user-perceived characters (Intl.Segmenter graphemes): a flag or an emoji family
 *   is one. So that one "character" cannot carry unbounded code points, a value may also hold at
 *   most CODE_POINTS_PER_CHARACTER code points per character of its limit: the bound the
 *   database's own length checks use (db/schema/text.ts).
 */

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const CONTROLS = /\p{Cc}/u;
const CONTROLS_BUT_LINE_BREAKS = /[^\P{Cc}\t\n\r]/u;
const INVISIBLE = String.raw`[\s\p{Default_Ignorable_Code_Point}]`;
const INVISIBLE_EDGES = new RegExp(`^${INVISIBLE}+|${INVISIBLE}+$`, "gu");
const ONLY_INVISIBLE = new RegExp(`^(?:${INVISIBLE}|\\p{Cf})+$`, "u");

const graphemes = new Intl.Segmenter("und", { granularity: "grapheme" });

/** How many characters a person sees in `value` (grapheme clusters). */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of graphemes.segment(value)) count++;
  return count;
}

export interface TextRules {
  /** The field's name as the form labels it, for messages ("Name"). */
  label: string;
  /** At most this many characters (graphemes). */
  max: number;
  /** Refuse an empty value (after trimming). */
  required?: boolean;
  /** Keep line breaks and tabs (descriptions); names are one line. */
  multiline?: boolean;
}

/** The schema for one text field: normalized as above, then checked, each refusal with a clear message. */
export function text({ label, max, required = false, multiline = false }: TextRules) {
  return z
    .string()
    .refine((value) => !(ONLY_INVISIBLE.test(value) && /\S/u.test(value)), {
      message: `${label} must contain visible characters, not only invisible ones.`,
      abort: true,
    })
    .overwrite((value) => value.normalize("NFC").replace(INVISIBLE_EDGES, ""))
    .refine((value) => !required || value.length > 0, { message: `${label} is required.`, abort: true })
    .refine((value) => !(multiline ? CONTROLS_BUT_LINE_BREAKS : CONTROLS).test(value), {
      message: multiline
        ? `${label} must not contain control characters other than line breaks and tabs.`
        : `${label} must be one line, without control characters.`,
      abort: true,
    })
    .refine((value) => !BIDI_CONTROLS.test(value), {
      message: `${label} must not contain text-direction override characters (U+202A to U+202E, U+2066 to U+2069).`,
      abort: true,
    })
    .refine((value) => characterCount(value) <= max, {
      message: `${label} must be at most ${max} characters.`,
      abort: true,
    })
    .refine((value) => [...value].length <= max * CODE_POINTS_PER_CHARACTER, {
      message: `${label} is too long: it holds too many accents, modifiers or joined emoji.`,
    });
}

/**
 * Text columns count user-perceived characters in the application (@/lib/text), which PostgreSQL
 * cannot; the database bounds them in code points instead, at this many per character of a
 * column's limit (the longest emoji sequences, a couple with skin tones, are 10 code points).
 */
export const CODE_POINTS_PER_CHARACTER = 10;

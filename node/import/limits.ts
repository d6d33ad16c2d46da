/** Size caps of import files, shared by the NDJSON reader and the CSV tokenizer. */

/** Longest accepted NDJSON line or CSV record, in bytes (NDJSON) or characters (CSV). */
export const MAX_LINE_BYTES = 1 << 20;

/** Size caps at every boundary. A message over a cap is rejected before it is decoded. */
export const LIMITS = {
  /** One websocket frame or biometric HTTP body (encrypted scores for 10^6 templates are ~16 MB). */
  maxFrameBytes: 40 * 1024 * 1024,
  /** One signed envelope's payload. */
  maxPayloadBytes: 32 * 1024 * 1024,
  /** One identifier query, lookup or disclosure HTTP body. */
  maxRequestBytes: 1024 * 1024,
  /** HE session keys (Galois keys), sent once per session and node. */
  maxSessionKeyBytes: 8 * 1024 * 1024,
  /** One encrypted probe. */
  maxProbeBytes: 2 * 1024 * 1024,
  /** Blinded elements in one query (a name query yields a handful of keys). */
  maxQueryItems: 64,
  /** Queries in one micro-batch frame from the coordinator to a node. */
  maxBatchQueries: 512,
  /** Tags or prefixes in one index lookup. */
  maxLookupItems: 64 * 64,
  /** Entries one bucket lookup may return per prefix. */
  maxBucketEntries: 4096,
  /** (tag, token) pairs in one publish chunk. */
  maxPublishPairs: 5000,
  /** A hit token (AEAD over record id, class and epoch). */
  maxTokenBytes: 256,
  /** Accepted clock skew for timestamps in signed messages. */
  replayWindowMs: 5 * 60 * 1000,
  /** Length of a PSI tag. */
  tagBytes: 16,
} as const;

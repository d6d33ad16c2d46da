/**
 * Every domain-separation label Veil uses, in one place (CONTRIBUTING.md, code rule 3).
 *
 * A label is prefixed to bytes before they are signed, hashed, sealed or fed to the OPRF, so that a
 * signature or tag made for one purpose can never be replayed for another. Changing a label is a
 * protocol version change.
 */
export const LABELS = {
  /** Match-key input to the OPRF: `matchKey + class + 0x00 + normalized value`. */
  matchKey: 'veil/v1/match-key/',
  /** Signed envelope: `envelope + 0x00 + payload bytes`. */
  envelope: 'veil/v1/envelope',
  /** Node descriptor published in the registry. */
  descriptor: 'veil/v1/node-descriptor',
  /** Associated data of hit tokens. */
  hitToken: 'veil/v1/hit-token',
  /** Associated data of sealed disclosures. */
  disclosure: 'veil/v1/disclosure',
  /** Audit checkpoints. */
  auditCheckpoint: 'veil/v1/audit-checkpoint',
  /** Merkle commitment over a node's published PSI index (leaves, inner nodes, empty leaves). */
  indexCommitment: 'veil/v1/index-commitment',
  /** Per-query keyed permutation of biometric gallery positions. */
  bioPermutation: 'veil/v1/bio-permutation',
  /** MAC over a block of the node's persisted biometric gallery encoding (node-local). */
  bioEncoding: 'veil/v1/bio-encoding',
} as const;

/**
 * The node's persisted gallery encoding (docs/biometrics.md, "Persisted encoding"): every block the node
 * encodes is written to its SQLite store with a MAC, and restored at start instead of being re-encoded
 * (194 s at 10^6 templates), so a node answers within seconds of starting.
 *
 * A stored block is accepted only if its MAC verifies. The MAC is HMAC-SHA-256 under a key derived from
 * the node's token key (kept in keys.json, not in node.db) over: the label, modality, HE parameter set,
 * block index, the gallery seq it reflects, the node's active OPRF epoch, its occupancy and residues. So
 * a corrupted or altered block, a block for another parameter set, one moved to another index, or any
 * block after a key rotation (a new OPRF epoch or token key) fails and is re-encoded from the templates in
 * the gallery table — never scored as zeros. A block replayed from an older state verifies, but its seq
 * says which gallery changes it misses, and those are applied (`restore` returns where to replay from).
 */
import { deriveSubkey, equalBytes, type GalleryEncoding, hmacSha256, utf8 } from '#crypto';
import type { Logger } from '#platform';
import { LABELS } from '#protocol';
import type { NodeKeys } from './config.ts';
import type { NodeRepositories } from './store/repositories.ts';

export interface RestoredEncoding {
  /** Blocks restored from the store (verified). */
  restored: number;
  /** Stored blocks that failed verification or no longer fit: marked for re-encoding. */
  rejected: number;
  /** Per restored block, the last gallery seq it reflects: changes up to it need no re-encoding. */
  seqs: Map<number, number>;
  /** Gallery changes after this seq may be missing from the restored blocks: replay them. */
  replayFrom: number;
}

export class PersistedEncoding {
  readonly #store: NodeRepositories;
  readonly #key: Uint8Array;
  readonly #log: Logger;

  constructor(deps: { store: NodeRepositories; keys: NodeKeys; log: Logger }) {
    this.#store = deps.store;
    this.#key = deriveSubkey(deps.keys.token.secretBytes(), `${LABELS.bioEncoding}/key`, 32);
    this.#log = deps.log;
  }

  /** The OPRF epoch the node answers under now; 0 before it has one. */
  #epoch(): number {
    return this.#store.records.epochs().find((e) => e.state === 'active')?.epoch ?? 0;
  }

  #mac(modality: string, param: string, block: number, seq: number, epoch: number, occupied: Uint8Array, residues: Uint8Array): Uint8Array {
    const header = utf8(`${LABELS.bioEncoding}\u0000${modality}\u0000${param}\u0000${block}\u0000${seq}\u0000${epoch}\u0000`);
    return hmacSha256(this.#key, header, occupied, residues);
  }

  /** Restore a modality's stored blocks into `gallery` (a source-mode encoding with nothing in it yet). */
  restore(modality: string, gallery: GalleryEncoding): RestoredEncoding {
    const epoch = this.#epoch();
    const bs = gallery.d.blockSize;
    const seqs = new Map<number, number>();
    let rejected = 0;
    let minSeq = Number.POSITIVE_INFINITY;
    for (const row of this.#store.galleryBlocks.list(modality)) {
      const bi = row.block;
      if (!Number.isSafeInteger(bi) || bi < 0 || bi >= 2 ** 31 / bs) {
        rejected++;
        continue;
      }
      const fits = row.param === gallery.paramId && row.occupied.length === bs;
      const occupied = fits ? row.occupied : new Uint8Array(bs);
      const ok = gallery.restoreBlock(bi, occupied, (dst) => {
        if (!fits || row.residues.length !== dst.length) return false;
        dst.set(row.residues);
        // Verify what was copied (the block's storage), so what is scored is what was checked.
        return equalBytes(this.#mac(modality, row.param, bi, row.seq, epoch, occupied, dst), row.mac);
      });
      if (ok) {
        seqs.set(bi, row.seq);
        minSeq = Math.min(minSeq, row.seq);
      } else rejected++;
    }
    if (rejected > 0) this.#log.warn('stored gallery encoding rejected, re-encoding', { kind: modality, count: rejected });
    const through = this.#store.galleryBlocks.encodedThrough(modality);
    return { restored: seqs.size, rejected, seqs, replayFrom: Math.min(through, minSeq) };
  }

  /** Store the given (freshly encoded) blocks, each reflecting gallery changes up to `seq`. */
  persist(modality: string, gallery: GalleryEncoding, blocks: readonly number[], seq: number): void {
    const epoch = this.#epoch();
    for (const bi of blocks) {
      const b = gallery.blocks[bi];
      if (!b) continue;
      const occupied = b.occupied.slice();
      const residues = gallery.blockBytes(bi);
      const mac = this.#mac(modality, gallery.paramId, bi, seq, epoch, occupied, residues);
      this.#store.galleryBlocks.put({ modality, block: bi, param: gallery.paramId, seq, occupied, residues, mac });
    }
  }

  /** Record that every gallery change up to `seq` is in the stored blocks. */
  complete(modality: string, seq: number): void {
    if (this.#store.galleryBlocks.encodedThrough(modality) !== seq) this.#store.galleryBlocks.setEncodedThrough(modality, seq);
  }
}

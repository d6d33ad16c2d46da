/**
 * An in-memory index of match keys → owners (person ids), for measuring hits at 10^6 records without
 * the OPRF: a hit in Veil is exactly the equality of a record key and a query key (both sides blind
 * the same byte string), so comparing the byte strings gives the same hits as comparing tags.
 *
 * Keys are stored by a 64-bit hash (two independent 32-bit FNV-1a variants); with 10^7 keys the
 * chance of any false collision is about 10^-5. Open hashing with chains in typed arrays keeps 10^7
 * entries in ~200 MB.
 */

const BUCKET_BITS = 24;

export class KeyIndex {
  #heads = new Int32Array(1 << BUCKET_BITS).fill(-1);
  #hi = new Uint32Array(1 << 22);
  #lo = new Uint32Array(1 << 22);
  #owner = new Int32Array(1 << 22);
  #next = new Int32Array(1 << 22);
  #size = 0;

  /** Entries (one per record key, as a node publishes one tag and token per key). */
  get size(): number {
    return this.#size;
  }

  add(input: Uint8Array, owner: number): void {
    const [hi, lo] = hash(input);
    const b = lo & ((1 << BUCKET_BITS) - 1);
    if (this.#size === this.#hi.length) this.#grow();
    const i = this.#size++;
    this.#hi[i] = hi;
    this.#lo[i] = lo;
    this.#owner[i] = owner;
    this.#next[i] = this.#heads[b]!;
    this.#heads[b] = i;
  }

  /** Owners of the records holding this key (with repeats if a record holds it twice). */
  owners(input: Uint8Array): number[] {
    const [hi, lo] = hash(input);
    const out: number[] = [];
    for (let i = this.#heads[lo & ((1 << BUCKET_BITS) - 1)]!; i !== -1; i = this.#next[i]!) {
      if (this.#hi[i] === hi && this.#lo[i] === lo) out.push(this.#owner[i]!);
    }
    return out;
  }

  #grow(): void {
    const n = this.#hi.length * 2;
    const grow = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#hi = grow(this.#hi, (k) => new Uint32Array(k));
    this.#lo = grow(this.#lo, (k) => new Uint32Array(k));
    this.#owner = grow(this.#owner, (k) => new Int32Array(k));
    this.#next = grow(this.#next, (k) => new Int32Array(k));
  }
}

/** Two 32-bit FNV-1a hashes with different offset bases. */
export function hash(bytes: Uint8Array): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

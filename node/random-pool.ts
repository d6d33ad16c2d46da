/**
 * Random bytes drawn from the platform CSPRNG in 64 KiB blocks and handed out once each: an import seals
 * a hit token per match key (a 24-byte nonce each), and one CSPRNG call per nonce costs more than the
 * sealing. Every byte comes from `randomBytes` and is given out at most once, so callers get exactly
 * what they would from calling it themselves.
 */
import { type Rng, randomBytes } from '#crypto';

export function pooledRandom(blockBytes = 1 << 16): Rng {
  let block: Uint8Array = new Uint8Array(0);
  let used = 0;
  return (n: number): Uint8Array => {
    if (n > blockBytes) return randomBytes(n);
    if (used + n > block.length) {
      block = randomBytes(blockBytes);
      used = 0;
    }
    const out = block.slice(used, used + n);
    block.fill(0, used, used + n);
    used += n;
    return out;
  };
}

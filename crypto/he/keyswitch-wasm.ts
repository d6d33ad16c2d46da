/**
 * The point-wise steps of CKKS key switching as WebAssembly kernels (wasm-asm.ts syntax): the Galois
 * permutation of NTT-form residues, the products of the decomposed digits with the key, and the final
 * modulus switch down from the special prime. Arithmetic as in wasm-ntt.ts (Shoup for the 30-bit primes);
 * the steps modulo the special prime are in wasm-ntt49.ts and wasm-p49-ops.ts. Every output is canonical.
 */
import type { FuncDef } from './wasm-asm.ts';
import { CSUB4, SHOUP4 } from './wasm-ntt.ts';

const LOOP = (ptr: string, end: string, step: number, body: string) => `
  block $done
    loop $next
      local.get ${ptr}
      local.get ${end}
      i32.ge_u
      br_if $done
      ${body}
      local.get ${ptr}
      i32.const ${step}
      i32.add
      local.set ${ptr}
      br $next
    end
  end`;

/** dst[i] = src[tab[i]] for n u32 values (the Galois automorphism in NTT form). */
const permute32: FuncDef = {
  name: 'permute32',
  params: [
    ['src', 'i32'],
    ['dst', 'i32'],
    ['tab', 'i32'],
    ['n', 'i32'],
  ],
  locals: [['end', 'i32']],
  body: `
  local.get $dst
  local.get $n
  i32.const 2
  i32.shl
  i32.add
  local.set $end
  ${LOOP(
    '$dst',
    '$end',
    4,
    `
      local.get $dst
      local.get $src
      local.get $tab
      i32.load
      i32.const 2
      i32.shl
      i32.add
      i32.load
      i32.store
      local.get $tab
      i32.const 4
      i32.add
      local.set $tab`,
  )}`,
};

const V4: FuncDef['locals'] = [
  ['end', 'i32'],
  ['q4', 'v128'],
  ['q24', 'v128'],
  ['tq', 'v128'],
  ['a', 'v128'],
  ['b', 'v128'],
  ['c', 'v128'],
];

const SETUP4 = `
  local.get $q
  i32x4.splat
  local.set $q4
  local.get $q
  i32.const 1
  i32.shl
  i32x4.splat
  local.set $q24
  local.get $out
  local.get $n
  i32.const 2
  i32.shl
  i32.add
  local.set $end`;

/**
 * out = x0 * k0 + x1 * k1 mod q, n u32 values; k0, k1 are [k; n][k'; n] (Shoup factors of the key residues),
 * x0, x1 < 2^32.
 */
const mulacc30: FuncDef = {
  name: 'mulacc30',
  params: [
    ['out', 'i32'],
    ['x0', 'i32'],
    ['k0', 'i32'],
    ['x1', 'i32'],
    ['k1', 'i32'],
    ['n', 'i32'],
    ['q', 'i32'],
  ],
  locals: [...V4, ['nb', 'i32'], ['k', 'v128'], ['ks', 'v128']],
  body: `
  ${SETUP4}
  local.get $n
  i32.const 2
  i32.shl
  local.set $nb
  ${LOOP(
    '$out',
    '$end',
    16,
    `
      local.get $x0
      v128.load
      local.set $a
      local.get $k0
      v128.load
      local.set $k
      local.get $k0
      local.get $nb
      i32.add
      v128.load
      local.set $ks
      ${SHOUP4('$a', '$k', '$ks')}
      local.set $c
      local.get $x1
      v128.load
      local.set $a
      local.get $k1
      v128.load
      local.set $k
      local.get $k1
      local.get $nb
      i32.add
      v128.load
      local.set $ks
      ${SHOUP4('$a', '$k', '$ks')}
      local.get $c
      i32x4.add
      local.set $c
      ${CSUB4('$c', '$q24')}
      ${CSUB4('$c', '$q4')}
      local.get $out
      local.get $c
      v128.store
      local.get $x0
      i32.const 16
      i32.add
      local.set $x0
      local.get $x1
      i32.const 16
      i32.add
      local.set $x1
      local.get $k0
      i32.const 16
      i32.add
      local.set $k0
      local.get $k1
      i32.const 16
      i32.add
      local.set $k1`,
  )}`,
};

/**
 * out = ((acc - y + q) * pinv + c0) mod q (c0 only when $withC0): the last step of the modulus switch down
 * from the special prime, plus the permuted c0 for the first output polynomial.
 */
const moddown30: FuncDef = {
  name: 'moddown30',
  params: [
    ['out', 'i32'],
    ['acc', 'i32'],
    ['y', 'i32'],
    ['c0', 'i32'],
    ['withC0', 'i32'],
    ['n', 'i32'],
    ['q', 'i32'],
    ['pinv', 'i32'],
    ['pinvs', 'i32'],
  ],
  locals: [...V4, ['k', 'v128'], ['ks', 'v128']],
  body: `
  ${SETUP4}
  local.get $pinv
  i32x4.splat
  local.set $k
  local.get $pinvs
  i32x4.splat
  local.set $ks
  ${LOOP(
    '$out',
    '$end',
    16,
    `
      local.get $acc
      v128.load
      local.get $y
      v128.load
      i32x4.sub
      local.get $q4
      i32x4.add
      local.set $a
      ${SHOUP4('$a', '$k', '$ks')}
      local.set $c
      local.get $withC0
      if
        local.get $c
        local.get $c0
        v128.load
        i32x4.add
        local.set $c
        ${CSUB4('$c', '$q24')}
        local.get $c0
        i32.const 16
        i32.add
        local.set $c0
      end
      ${CSUB4('$c', '$q4')}
      local.get $out
      local.get $c
      v128.store
      local.get $acc
      i32.const 16
      i32.add
      local.set $acc
      local.get $y
      i32.const 16
      i32.add
      local.set $y`,
  )}`,
};

/** dst (u64) = src (u32), n values. */
const widen: FuncDef = {
  name: 'widen',
  params: [
    ['src', 'i32'],
    ['dst', 'i32'],
    ['n', 'i32'],
  ],
  locals: [['end', 'i32']],
  body: `
  local.get $dst
  local.get $n
  i32.const 3
  i32.shl
  i32.add
  local.set $end
  ${LOOP(
    '$dst',
    '$end',
    8,
    `
      local.get $dst
      local.get $src
      i64.load32_u
      i64.store
      local.get $src
      i32.const 4
      i32.add
      local.set $src`,
  )}`,
};

/** dst = src mod q for u32 src < 2q (a residue of the other 30-bit prime). */
const reduce32: FuncDef = {
  name: 'reduce32',
  params: [
    ['src', 'i32'],
    ['dst', 'i32'],
    ['n', 'i32'],
    ['q', 'i32'],
  ],
  locals: [
    ['end', 'i32'],
    ['q4', 'v128'],
    ['a', 'v128'],
  ],
  body: `
  local.get $q
  i32x4.splat
  local.set $q4
  local.get $dst
  local.get $n
  i32.const 2
  i32.shl
  i32.add
  local.set $end
  ${LOOP(
    '$dst',
    '$end',
    16,
    `
      local.get $src
      v128.load
      local.set $a
      ${CSUB4('$a', '$q4')}
      local.get $dst
      local.get $a
      v128.store
      local.get $src
      i32.const 16
      i32.add
      local.set $src`,
  )}`,
};

/** dst[i] = floor(src[i] * 2^32 / q): the Shoup factors of n u32 constants. */
const shoup32: FuncDef = {
  name: 'shoup32',
  params: [
    ['src', 'i32'],
    ['dst', 'i32'],
    ['n', 'i32'],
    ['q', 'i64'],
  ],
  locals: [['end', 'i32']],
  body: `
  local.get $dst
  local.get $n
  i32.const 2
  i32.shl
  i32.add
  local.set $end
  ${LOOP(
    '$dst',
    '$end',
    4,
    `
      local.get $dst
      local.get $src
      i64.load32_u
      i64.const 32
      i64.shl
      local.get $q
      i64.div_u
      i64.store32
      local.get $src
      i32.const 4
      i32.add
      local.set $src`,
  )}`,
};

export const KEYSWITCH_FUNCS: readonly FuncDef[] = [permute32, mulacc30, moddown30, widen, reduce32, shoup32];

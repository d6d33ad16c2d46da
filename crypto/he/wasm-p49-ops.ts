/**
 * Key switching's steps modulo the 49-bit special prime p as WebAssembly kernels (wasm-asm.ts syntax),
 * beside the NTTs of wasm-ntt49.ts: the digit-by-key products and the centred reduction of the modulus
 * switch. Same multiplication method as there (float64 quotient estimate, exact wrapping i64 remainder).
 */
import type { FuncDef } from './wasm-asm.ts';
import { CSUB, LOOP, MUL, NEAREST, NTT49_FUNCS } from './wasm-ntt49.ts';

/** out = x0 * k0 + x1 * k1 mod p (canonical), n u64 values; k0, k1 are [k; n u64][k / p; n f64]; x < 4p. */
const mulacc49: FuncDef = {
  name: 'mulacc49',
  params: [
    ['out', 'i32'],
    ['x0', 'i32'],
    ['k0', 'i32'],
    ['x1', 'i32'],
    ['k1', 'i32'],
    ['n', 'i32'],
    ['p', 'i64'],
  ],
  locals: [
    ['end', 'i32'],
    ['nb', 'i32'],
    ['x', 'i64'],
    ['s', 'i64'],
    ['r', 'i64'],
    ['w', 'i64'],
    ['wp', 'f64'],
  ],
  body: `
  local.get $n
  i32.const 3
  i32.shl
  local.tee $nb
  local.get $out
  i32.add
  local.set $end
  ${LOOP(
    '$out',
    '$end',
    8,
    `
      local.get $x0
      i64.load
      local.set $x
      local.get $k0
      i64.load
      local.set $w
      local.get $k0
      local.get $nb
      i32.add
      f64.load
      local.set $wp
      ${MUL('$x', '$w', '$wp')}
      local.set $s
      local.get $x1
      i64.load
      local.set $x
      local.get $k1
      i64.load
      local.set $w
      local.get $k1
      local.get $nb
      i32.add
      f64.load
      local.set $wp
      ${MUL('$x', '$w', '$wp')}
      local.get $s
      i64.add
      local.set $s
      ${CSUB('$s', '$p')}
      ${CSUB('$s', '$p')}
      local.get $out
      local.get $s
      i64.store
      local.get $x0
      i32.const 8
      i32.add
      local.set $x0
      local.get $x1
      i32.const 8
      i32.add
      local.set $x1
      local.get $k0
      i32.const 8
      i32.add
      local.set $k0
      local.get $k1
      i32.const 8
      i32.add
      local.set $k1`,
  )}`,
};

/**
 * dst (u32) = (((src + half) mod p) - half) mod q for canonical u64 src: the centred representative of a
 * coefficient mod p, reduced mod a data prime q (SEAL adds (p-1)/2 to round instead of flooring).
 * fix = q - (half mod q); qinv = 1 / q.
 */
const centered: FuncDef = {
  name: 'centered',
  params: [
    ['src', 'i32'],
    ['dst', 'i32'],
    ['n', 'i32'],
    ['p', 'i64'],
    ['half', 'i64'],
    ['q', 'i64'],
    ['fix', 'i64'],
    ['qinv', 'f64'],
  ],
  locals: [
    ['end', 'i32'],
    ['x', 'i64'],
  ],
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
      local.get $src
      i64.load
      local.get $half
      i64.add
      local.set $x
      ${CSUB('$x', '$p')}
      ;; x mod q: x - nearest(x / q) * q lies in [-q, q]
      local.get $x
      local.get $x
      f64.convert_i64_s
      local.get $qinv
      f64.mul
      ${NEAREST}
      local.get $q
      i64.mul
      i64.sub
      local.get $fix
      i64.add
      local.set $x
      ;; now in [fix - q, fix + q]: bring into [0, q)
      local.get $x
      local.get $q
      i64.add
      local.get $x
      local.get $x
      i64.const 0
      i64.lt_s
      select
      local.set $x
      ${CSUB('$x', '$q')}
      ${CSUB('$x', '$q')}
      local.get $dst
      local.get $x
      i64.store32
      local.get $src
      i32.const 8
      i32.add
      local.set $src`,
  )}`,
};

export const P49_FUNCS: readonly FuncDef[] = [...NTT49_FUNCS, mulacc49, centered];

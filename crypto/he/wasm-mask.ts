/**
 * The point-wise steps of masking as WebAssembly kernels (wasm-asm.ts syntax), exact modular arithmetic
 * on NTT-form residues of the 30-bit data primes:
 *
 * - `mulv`: a * b mod q for two residue vectors, 4 lanes: the quotient floor(a * b / q) is estimated in
 *   float64 (within 1 of the true one, a * b < 2^60), and a * b - Q * q, which lies in [-q, 2q), is exact
 *   in wrapping 32-bit arithmetic;
 * - `pm`: out = u + v, cm = u - v (mod q);
 * - `addv`: out = a + b (mod q).
 */
import type { FuncDef } from './wasm-asm.ts';
import { CSUB4 } from './wasm-ntt.ts';

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

const END = (ptr: string, shift: number) => `
  local.get ${ptr}
  local.get $n
  i32.const ${shift}
  i32.shl
  i32.add
  local.set $end`;

/** The high pair of u32 lanes of a vector, moved to the low pair. */
const HIGH = '8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15';

/** a * b mod q (canonical) for v128 $a, $b, 4 lanes; uses $qf (1/q as f64x2), $q4, $fl, $fh. */
const MULV = `
  local.get $a
  f64x2.convert_low_i32x4_u
  local.get $b
  f64x2.convert_low_i32x4_u
  f64x2.mul
  local.get $qf
  f64x2.mul
  f64x2.floor
  i32x4.trunc_sat_f64x2_u_zero
  local.get $a
  local.get $a
  i8x16.shuffle ${HIGH}
  f64x2.convert_low_i32x4_u
  local.get $b
  local.get $b
  i8x16.shuffle ${HIGH}
  f64x2.convert_low_i32x4_u
  f64x2.mul
  local.get $qf
  f64x2.mul
  f64x2.floor
  i32x4.trunc_sat_f64x2_u_zero
  i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
  local.get $q4
  i32x4.mul
  local.set $t
  local.get $a
  local.get $b
  i32x4.mul
  local.get $t
  i32x4.sub
  local.tee $t
  ;; [-q, 2q) as i32: add q where negative, then subtract q where >= q
  local.get $t
  v128.const i32x4 0 0 0 0
  i32x4.lt_s
  local.get $q4
  v128.and
  i32x4.add
  local.set $t
  ${CSUB4('$t', '$q4')}
  local.get $t`;

const V_LOCALS: FuncDef['locals'] = [
  ['end', 'i32'],
  ['a', 'v128'],
  ['b', 'v128'],
  ['t', 'v128'],
  ['q4', 'v128'],
  ['qf', 'v128'],
  ['c', 'v128'],
];

const SETUP = `
  local.get $q
  i32x4.splat
  local.set $q4
  f64.const 1
  local.get $q
  f64.convert_i32_u
  f64.div
  f64x2.splat
  local.set $qf`;

/** out = a * b mod q, n values (a, b < q). */
const mulv: FuncDef = {
  name: 'mulv',
  params: [
    ['out', 'i32'],
    ['pa', 'i32'],
    ['pb', 'i32'],
    ['n', 'i32'],
    ['q', 'i32'],
  ],
  locals: V_LOCALS,
  body: `
  ${SETUP}
  ${END('$out', 2)}
  ${LOOP(
    '$out',
    '$end',
    16,
    `
      local.get $pa
      v128.load
      local.set $a
      local.get $pb
      v128.load
      local.set $b
      local.get $out
      ${MULV}
      v128.store
      local.get $pa
      i32.const 16
      i32.add
      local.set $pa
      local.get $pb
      i32.const 16
      i32.add
      local.set $pb`,
  )}`,
};

/** out = u + v, cm = u - v mod q, n values (canonical inputs). */
const pm: FuncDef = {
  name: 'pm',
  params: [
    ['out', 'i32'],
    ['cm', 'i32'],
    ['pu', 'i32'],
    ['pv', 'i32'],
    ['n', 'i32'],
    ['q', 'i32'],
  ],
  locals: V_LOCALS,
  body: `
  ${SETUP}
  ${END('$out', 2)}
  ${LOOP(
    '$out',
    '$end',
    16,
    `
      local.get $pu
      v128.load
      local.set $a
      local.get $pv
      v128.load
      local.set $b
      local.get $a
      local.get $b
      i32x4.add
      local.set $c
      ${CSUB4('$c', '$q4')}
      local.get $out
      local.get $c
      v128.store
      local.get $a
      local.get $b
      i32x4.sub
      local.get $q4
      i32x4.add
      local.set $c
      ${CSUB4('$c', '$q4')}
      local.get $cm
      local.get $c
      v128.store
      local.get $cm
      i32.const 16
      i32.add
      local.set $cm
      local.get $pu
      i32.const 16
      i32.add
      local.set $pu
      local.get $pv
      i32.const 16
      i32.add
      local.set $pv`,
  )}`,
};

/** out = a + b mod q, n values (canonical inputs). */
const addv: FuncDef = {
  name: 'addv',
  params: [
    ['out', 'i32'],
    ['pa', 'i32'],
    ['pb', 'i32'],
    ['n', 'i32'],
    ['q', 'i32'],
  ],
  locals: V_LOCALS,
  body: `
  ${SETUP}
  ${END('$out', 2)}
  ${LOOP(
    '$out',
    '$end',
    16,
    `
      local.get $pa
      v128.load
      local.get $pb
      v128.load
      i32x4.add
      local.set $c
      ${CSUB4('$c', '$q4')}
      local.get $out
      local.get $c
      v128.store
      local.get $pa
      i32.const 16
      i32.add
      local.set $pa
      local.get $pb
      i32.const 16
      i32.add
      local.set $pb`,
  )}`,
};

export const MASK_FUNCS: readonly FuncDef[] = [mulv, pm, addv];

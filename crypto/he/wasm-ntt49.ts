/**
 * Arithmetic modulo the 49-bit special prime p as WebAssembly kernels (wasm-asm.ts syntax), scalar i64:
 * SEAL 4.1's forward and inverse NTT (same twiddle order as ring.ts), and the modular helpers that
 * wasm-p49-ops.ts (the rest of key switching modulo p) shares.
 *
 * x * w mod p for x < 4p < 2^51 and a constant w < p with the precomputed float64 w / p: the quotient
 * estimate y = x * (w / p) is within 0.5 of x * w / p (x converts exactly; two roundings of 2^-53), the
 * magic-number rounding (y + 2^52, read as an integer) takes the nearest integer, so the remainder
 * x * w - Q * p, computed exactly in wrapping i64 arithmetic, lies in [-p, p].
 *
 * Twiddle tables: [w; n u64][w / p; n f64].
 */
import type { FuncDef } from './wasm-asm.ts';

/** The integer nearest to the f64 on the stack (0 <= y < 2^52). */
export const NEAREST = `
  f64.const 4503599627370496
  f64.add
  i64.reinterpret_f64
  i64.const 4841369599423283200
  i64.sub`;

/** x * w - Q * p in [-p, p] on the stack. */
export const MULR = (x: string, w: string, wp: string) => `
  local.get ${x}
  local.get ${w}
  i64.mul
  local.get ${x}
  f64.convert_i64_s
  local.get ${wp}
  f64.mul
  ${NEAREST}
  local.get $p
  i64.mul
  i64.sub`;

/** x * w mod p in [0, p] on the stack. */
export const MUL = (x: string, w: string, wp: string) => `
  ${MULR(x, w, wp)}
  local.set $r
  local.get $r
  local.get $p
  i64.add
  local.get $r
  local.get $r
  i64.const 0
  i64.lt_s
  select`;

/** x -= c when x >= c (unsigned). */
export const CSUB = (x: string, c: string) => `
  local.get ${x}
  local.get ${c}
  i64.sub
  local.get ${x}
  local.get ${x}
  local.get ${c}
  i64.ge_u
  select
  local.set ${x}`;

export const LOOP = (ptr: string, end: string, step: number, body: string) => `
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

const LOCALS: FuncDef['locals'] = [
  ['t', 'i32'],
  ['m', 'i32'],
  ['i', 'i32'],
  ['pu', 'i32'],
  ['pv', 'i32'],
  ['end', 'i32'],
  ['tp', 'i32'],
  ['w', 'i64'],
  ['wp', 'f64'],
  ['u', 'i64'],
  ['x', 'i64'],
  ['r', 'i64'],
  ['p2', 'i64'],
];

/** One layer: groups i < $m of 2t values, twiddle index m + i, butterfly `bfly` on ($u, $x) at ($pu, $pv). */
const LAYER = (bfly: string) => `
  i32.const 0
  local.set $i
  block $gd
    loop $group
      local.get $i
      local.get $m
      i32.ge_u
      br_if $gd
      local.get $tw
      local.get $m
      local.get $i
      i32.add
      i32.const 3
      i32.shl
      i32.add
      local.tee $tp
      i64.load
      local.set $w
      local.get $tp
      local.get $n
      i32.const 3
      i32.shl
      i32.add
      f64.load
      local.set $wp
      local.get $a
      local.get $i
      local.get $t
      i32.mul
      i32.const 4
      i32.shl
      i32.add
      local.tee $pu
      local.get $t
      i32.const 3
      i32.shl
      i32.add
      local.tee $end
      local.set $pv
      block $sd
        loop $sl
          local.get $pu
          local.get $end
          i32.ge_u
          br_if $sd
          local.get $pu
          i64.load
          local.set $u
          local.get $pv
          i64.load
          local.set $x
          ${bfly}
          local.get $pu
          i32.const 8
          i32.add
          local.set $pu
          local.get $pv
          i32.const 8
          i32.add
          local.set $pv
          br $sl
        end
      end
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $group
    end
  end`;

/** u' = u + w x, x' = u - w x (+2p); inputs < 4p, outputs < 4p (the product kept in [0, 2p]). */
const CT = `
  ${CSUB('$u', '$p2')}
  ${MULR('$x', '$w', '$wp')}
  local.get $p
  i64.add
  local.set $x
  local.get $pu
  local.get $u
  local.get $x
  i64.add
  i64.store
  local.get $pv
  local.get $u
  local.get $x
  i64.sub
  local.get $p2
  i64.add
  i64.store`;

/** u' = u + x (< 2p), x' = w (u - x + 2p) (<= p); inputs < 2p. */
const GS = `
  local.get $u
  local.get $x
  i64.sub
  local.get $p2
  i64.add
  local.get $u
  local.get $x
  i64.add
  local.set $u
  local.set $x
  ${CSUB('$u', '$p2')}
  local.get $pu
  local.get $u
  i64.store
  local.get $pv
  ${MUL('$x', '$w', '$wp')}
  i64.store`;

const EACH = (body: string) => `
  local.get $a
  local.tee $pu
  local.get $n
  i32.const 3
  i32.shl
  i32.add
  local.set $end
  ${LOOP(
    '$pu',
    '$end',
    8,
    `
      local.get $pu
      i64.load
      local.set $x
      ${body}
      local.get $pu
      local.get $x
      i64.store`,
  )}`;

/** Forward NTT of n u64 values at $a mod $p (inputs < 4p); output canonical. */
const ntt49: FuncDef = {
  name: 'ntt49',
  params: [
    ['a', 'i32'],
    ['n', 'i32'],
    ['tw', 'i32'],
    ['p', 'i64'],
  ],
  locals: LOCALS,
  body: `
  local.get $p
  i64.const 1
  i64.shl
  local.set $p2
  local.get $n
  i32.const 1
  i32.shr_u
  local.set $t
  i32.const 1
  local.set $m
  block $ld
    loop $layer
      local.get $t
      i32.eqz
      br_if $ld
      ${LAYER(CT)}
      local.get $m
      i32.const 1
      i32.shl
      local.set $m
      local.get $t
      i32.const 1
      i32.shr_u
      local.set $t
      br $layer
    end
  end
  ${EACH(`${CSUB('$x', '$p2')}\n${CSUB('$x', '$p')}`)}`,
};

/** Inverse NTT mod $p including 1/n ($ninv, $ninvp = ninv / p); inputs < 2p, output canonical. */
const intt49: FuncDef = {
  name: 'intt49',
  params: [
    ['a', 'i32'],
    ['n', 'i32'],
    ['tw', 'i32'],
    ['p', 'i64'],
    ['ninv', 'i64'],
    ['ninvp', 'f64'],
  ],
  locals: LOCALS,
  body: `
  local.get $p
  i64.const 1
  i64.shl
  local.set $p2
  i32.const 1
  local.set $t
  local.get $n
  i32.const 1
  i32.shr_u
  local.set $m
  block $ld
    loop $layer
      local.get $m
      i32.eqz
      br_if $ld
      ${LAYER(GS)}
      local.get $m
      i32.const 1
      i32.shr_u
      local.set $m
      local.get $t
      i32.const 1
      i32.shl
      local.set $t
      br $layer
    end
  end
  ${EACH(`${MUL('$x', '$ninv', '$ninvp')}\nlocal.set $x\n${CSUB('$x', '$p')}`)}`,
};

export const NTT49_FUNCS: readonly FuncDef[] = [ntt49, intt49];

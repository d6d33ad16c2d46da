/**
 * SEAL 4.1's negacyclic NTT (bit-reversed twiddles of the minimal primitive 2N-th root, ring.ts) for the
 * 30-bit data primes as WebAssembly SIMD kernels (wasm-asm.ts syntax), 4 lanes of u32 wide.
 *
 * Shoup multiplication by a twiddle w with its precomputed w' = floor(w * 2^32 / q): Q = (x * w') >> 32
 * (the high halves of i64x2.extmul products), x * w - Q * q in [0, 2q) for any x < 2^32. Harvey's lazy
 * butterflies keep values below 4q < 2^32 (q < 2^30) and the last pass makes them canonical, so results
 * equal ring.ts's (and SEAL's) word for word. The layers with butterfly distance 1 and 2 exchange lanes
 * with shuffles; the others work on whole vectors.
 *
 * Twiddle tables: [w; n][w'; n] u32, indexed like ring.ts's psiRev / psiInvRev.
 */
import type { FuncDef } from './wasm-asm.ts';

/** Lazy Shoup product of v128 ${x} by ($w4, $ws4) mod $q4, on the stack. */
export const SHOUP4 = (x: string, w = '$w4', ws = '$ws4') => `
  local.get ${x}
  local.get ${ws}
  i64x2.extmul_low_i32x4_u
  local.get ${x}
  local.get ${ws}
  i64x2.extmul_high_i32x4_u
  i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
  local.get $q4
  i32x4.mul
  local.set $tq
  local.get ${x}
  local.get ${w}
  i32x4.mul
  local.get $tq
  i32x4.sub`;

/** x = min_u(x, x - c): subtract c in the lanes where x >= c. */
export const CSUB4 = (x: string, c: string) => `
  local.get ${x}
  local.get ${x}
  local.get ${c}
  i32x4.sub
  i32x4.min_u
  local.set ${x}`;

/** Cooley–Tukey butterfly on ($u4, $x4): u' = u + w x, x' = u - w x (+2q), inputs < 4q, outputs < 4q. */
const CT = `
  ${CSUB4('$u4', '$q24')}
  ${SHOUP4('$x4')}
  local.set $x4
  local.get $u4
  local.get $x4
  i32x4.sub
  local.get $q24
  i32x4.add
  local.get $u4
  local.get $x4
  i32x4.add
  local.set $u4
  local.set $x4`;

/** Gentleman–Sande butterfly on ($u4, $x4): u' = u + x, x' = w (u - x) (+2q), inputs < 2q, outputs < 2q. */
const GS = `
  local.get $u4
  local.get $x4
  i32x4.sub
  local.get $q24
  i32x4.add
  local.get $u4
  local.get $x4
  i32x4.add
  local.set $u4
  local.set $x4
  ${CSUB4('$u4', '$q24')}
  ${SHOUP4('$x4')}
  local.set $x4`;

const LOCALS: FuncDef['locals'] = [
  ['t', 'i32'],
  ['m', 'i32'],
  ['i', 'i32'],
  ['pu', 'i32'],
  ['pv', 'i32'],
  ['end', 'i32'],
  ['tp', 'i32'],
  ['q4', 'v128'],
  ['q24', 'v128'],
  ['w4', 'v128'],
  ['ws4', 'v128'],
  ['u4', 'v128'],
  ['x4', 'v128'],
  ['v0', 'v128'],
  ['v1', 'v128'],
  ['tq', 'v128'],
];

const SETUP = `
  local.get $q
  i32x4.splat
  local.set $q4
  local.get $q
  i32.const 1
  i32.shl
  i32x4.splat
  local.set $q24`;

/** $tp = tw + 4 * ($m + $i): the twiddle of group i in a layer with m groups. */
const TP = `
  local.get $tw
  local.get $m
  local.get $i
  i32.add
  i32.const 2
  i32.shl
  i32.add
  local.set $tp`;

/** One layer with butterfly distance t >= 4 (groups i < m of 2t values, twiddle m + i). */
const WIDE_LAYER = (bfly: string) => `
  i32.const 0
  local.set $i
  block $gd
    loop $group
      local.get $i
      local.get $m
      i32.ge_u
      br_if $gd
      ${TP}
      local.get $tp
      i32.load
      i32x4.splat
      local.set $w4
      local.get $tp
      local.get $n
      i32.const 2
      i32.shl
      i32.add
      i32.load
      i32x4.splat
      local.set $ws4
      local.get $a
      local.get $i
      local.get $t
      i32.mul
      i32.const 3
      i32.shl
      i32.add
      local.tee $pu
      local.get $t
      i32.const 2
      i32.shl
      i32.add
      local.tee $end
      local.set $pv
      block $vd
        loop $vl
          local.get $pu
          local.get $end
          i32.ge_u
          br_if $vd
          local.get $pu
          v128.load
          local.set $u4
          local.get $pv
          v128.load
          local.set $x4
          ${bfly}
          local.get $pu
          local.get $u4
          v128.store
          local.get $pv
          local.get $x4
          v128.store
          local.get $pu
          i32.const 16
          i32.add
          local.set $pu
          local.get $pv
          i32.const 16
          i32.add
          local.set $pv
          br $vl
        end
      end
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      br $group
    end
  end`;

/**
 * A layer with butterfly distance 1 or 2 (m = n / (2t) groups), 8 values per step: lanes are gathered
 * into u / x vectors by `split`, the twiddles loaded by `twiddles`, and scattered back by `merge`.
 */
const NARROW_LAYER = (t: 1 | 2, bfly: string) => {
  const split =
    t === 1
      ? ['0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27', '4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31']
      : ['0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23', '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31'];
  const merge = t === 1 ? ['0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23', '8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31'] : split;
  // t = 1: 4 groups per step, twiddles m+i .. m+i+3 (one load); t = 2: 2 groups, lanes (w_i, w_i, w_i+1, w_i+1).
  const spread = t === 1 ? '' : `\n  local.set $v0\n  local.get $v0\n  local.get $v0\n  i8x16.shuffle 0 1 2 3 0 1 2 3 4 5 6 7 4 5 6 7`;
  return `
  local.get $n
  i32.const ${t === 1 ? 1 : 2}
  i32.shr_u
  local.set $m
  i32.const 0
  local.set $i
  block $nd
    loop $nl
      local.get $i
      local.get $m
      i32.ge_u
      br_if $nd
      ${TP}
      local.get $tp
      v128.load${spread}
      local.set $w4
      local.get $tp
      local.get $n
      i32.const 2
      i32.shl
      i32.add
      v128.load${spread}
      local.set $ws4
      local.get $a
      local.get $i
      i32.const ${t === 1 ? 3 : 4}
      i32.shl
      i32.add
      local.tee $pu
      v128.load
      local.set $v0
      local.get $pu
      v128.load offset=16
      local.set $v1
      local.get $v0
      local.get $v1
      i8x16.shuffle ${split[0]}
      local.set $u4
      local.get $v0
      local.get $v1
      i8x16.shuffle ${split[1]}
      local.set $x4
      ${bfly}
      local.get $pu
      local.get $u4
      local.get $x4
      i8x16.shuffle ${merge[0]}
      v128.store
      local.get $pu
      local.get $u4
      local.get $x4
      i8x16.shuffle ${merge[1]}
      v128.store offset=16
      local.get $i
      i32.const ${t === 1 ? 4 : 2}
      i32.add
      local.set $i
      br $nl
    end
  end`;
};

/** Apply `body` (on $x4 at $pu) to all n values at $a. */
const EACH = (body: string) => `
  local.get $a
  local.tee $pu
  local.get $n
  i32.const 2
  i32.shl
  i32.add
  local.set $end
  block $ed
    loop $el
      local.get $pu
      local.get $end
      i32.ge_u
      br_if $ed
      local.get $pu
      v128.load
      local.set $x4
      ${body}
      local.get $pu
      local.get $x4
      v128.store
      local.get $pu
      i32.const 16
      i32.add
      local.set $pu
      br $el
    end
  end`;

/** Forward NTT of n u32 values at $a mod $q (inputs < 4q); output canonical. */
const ntt30: FuncDef = {
  name: 'ntt30',
  params: [
    ['a', 'i32'],
    ['n', 'i32'],
    ['tw', 'i32'],
    ['q', 'i32'],
  ],
  locals: LOCALS,
  body: `
  ${SETUP}
  local.get $n
  i32.const 1
  i32.shr_u
  local.set $t
  i32.const 1
  local.set $m
  block $done
    loop $layer
      local.get $t
      i32.const 4
      i32.lt_u
      br_if $done
      ${WIDE_LAYER(CT)}
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
  ${NARROW_LAYER(2, CT)}
  ${NARROW_LAYER(1, CT)}
  local.get $q
  i32x4.splat
  local.set $u4
  ${EACH(`${CSUB4('$x4', '$q24')}\n${CSUB4('$x4', '$u4')}`)}`,
};

/** Inverse NTT mod $q including the 1/n factor ($ninv and its Shoup factor $ninvs); inputs < 2q, output canonical. */
const intt30: FuncDef = {
  name: 'intt30',
  params: [
    ['a', 'i32'],
    ['n', 'i32'],
    ['tw', 'i32'],
    ['q', 'i32'],
    ['ninv', 'i32'],
    ['ninvs', 'i32'],
  ],
  locals: LOCALS,
  body: `
  ${SETUP}
  ${NARROW_LAYER(1, GS)}
  ${NARROW_LAYER(2, GS)}
  i32.const 4
  local.set $t
  local.get $n
  i32.const 3
  i32.shr_u
  local.set $m
  block $done
    loop $layer
      local.get $m
      i32.eqz
      br_if $done
      ${WIDE_LAYER(GS)}
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
  local.get $ninv
  i32x4.splat
  local.set $w4
  local.get $ninvs
  i32x4.splat
  local.set $ws4
  ${EACH(`${SHOUP4('$x4')}\nlocal.set $x4\n${CSUB4('$x4', '$q4')}`)}`,
};

export const NTT30_FUNCS: readonly FuncDef[] = [ntt30, intt30];

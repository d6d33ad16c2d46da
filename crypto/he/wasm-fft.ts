/**
 * CKKS encoding of one slot vector as WebAssembly kernels (wasm-asm.ts syntax), the same floating-point
 * operations in the same order as ring.ts's `CkksCodec.encodeFloat` (so the same coefficients, bit for
 * bit), followed by the rounding and reduction of `toResidues`:
 *
 * - `fftEnc`: the radix-2 FFT with the conjugate roots, on n complex values stored as f64x2 (re, im),
 *   already in bit-reversed order. Per layer, twiddle k is stored as [wr, wr][-wi, wi], so
 *   x = b * w = b * [wr, wr] + swap(b) * [-wi, wi] rounds exactly like re*wr - im*wi, re*wi + im*wr.
 * - `twistRound`: coefficient i = (re_i * twRe_i + im_i * twIm_i) * f, rounded like Math.round (halves
 *   up), reduced into [0, q) for both data primes, written as u32 columns.
 */
import type { FuncDef } from './wasm-asm.ts';

const fftEnc: FuncDef = {
  name: 'fftEnc',
  params: [
    ['buf', 'i32'],
    ['n', 'i32'],
    ['tw', 'i32'],
  ],
  locals: [
    ['half', 'i32'],
    ['s', 'i32'],
    ['k', 'i32'],
    ['pa', 'i32'],
    ['pb', 'i32'],
    ['tp', 'i32'],
    ['end', 'i32'],
    ['hb', 'i32'],
    ['a', 'v128'],
    ['b', 'v128'],
    ['x', 'v128'],
  ],
  body: `
  local.get $buf
  local.get $n
  i32.const 4
  i32.shl
  i32.add
  local.set $end
  i32.const 1
  local.set $half
  block $ld
    loop $layer
      local.get $half
      local.get $n
      i32.ge_u
      br_if $ld
      local.get $half
      i32.const 4
      i32.shl
      local.set $hb
      local.get $buf
      local.set $s
      block $sd
        loop $span
          local.get $s
          local.get $end
          i32.ge_u
          br_if $sd
          local.get $tw
          local.set $tp
          local.get $s
          local.set $pa
          local.get $s
          local.get $hb
          i32.add
          local.set $k
          block $kd
            loop $bf
              local.get $pa
              local.get $k
              i32.ge_u
              br_if $kd
              local.get $pa
              local.get $hb
              i32.add
              local.tee $pb
              v128.load
              local.tee $b
              local.get $tp
              v128.load
              f64x2.mul
              local.get $b
              local.get $b
              i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
              local.get $tp
              v128.load offset=16
              f64x2.mul
              f64x2.add
              local.set $x
              local.get $pa
              v128.load
              local.set $a
              local.get $pb
              local.get $a
              local.get $x
              f64x2.sub
              v128.store
              local.get $pa
              local.get $a
              local.get $x
              f64x2.add
              v128.store
              local.get $pa
              i32.const 16
              i32.add
              local.set $pa
              local.get $tp
              i32.const 32
              i32.add
              local.set $tp
              br $bf
            end
          end
          local.get $s
          local.get $hb
          i32.const 1
          i32.shl
          i32.add
          local.set $s
          br $span
        end
      end
      ;; next layer's twiddles follow this layer's (half entries of 32 bytes)
      local.get $tw
      local.get $half
      i32.const 5
      i32.shl
      i32.add
      local.set $tw
      local.get $half
      i32.const 1
      i32.shl
      local.set $half
      br $layer
    end
  end`,
};

/** v mod q into [0, q) for an integral f64 v (|v| < 2^52), as u32 on the stack. */
const MOD = (q: string, qinv: string) => `
  local.get $v
  local.get $v
  local.get ${qinv}
  f64.mul
  f64.floor
  local.get ${q}
  f64.mul
  f64.sub
  local.tee $r
  local.get ${q}
  f64.add
  local.get $r
  local.get $r
  f64.const 0
  f64.lt
  select
  local.tee $r
  local.get ${q}
  f64.sub
  local.get $r
  local.get $r
  local.get ${q}
  f64.ge
  select
  i32.trunc_f64_u`;

const twistRound: FuncDef = {
  name: 'twistRound',
  params: [
    ['buf', 'i32'],
    ['n', 'i32'],
    ['twist', 'i32'],
    ['f', 'f64'],
    ['out0', 'i32'],
    ['out1', 'i32'],
    ['q0', 'f64'],
    ['q1', 'f64'],
  ],
  locals: [
    ['end', 'i32'],
    ['p', 'v128'],
    ['c', 'f64'],
    ['v', 'f64'],
    ['r', 'f64'],
    ['i0', 'f64'],
    ['i1', 'f64'],
  ],
  body: `
  f64.const 1
  local.get $q0
  f64.div
  local.set $i0
  f64.const 1
  local.get $q1
  f64.div
  local.set $i1
  local.get $buf
  local.get $n
  i32.const 4
  i32.shl
  i32.add
  local.set $end
  block $done
    loop $next
      local.get $buf
      local.get $end
      i32.ge_u
      br_if $done
      local.get $buf
      v128.load
      local.get $twist
      v128.load
      f64x2.mul
      local.tee $p
      f64x2.extract_lane 0
      local.get $p
      f64x2.extract_lane 1
      f64.add
      local.get $f
      f64.mul
      local.tee $c
      ;; Math.round: floor, plus one when the fraction is at least a half
      f64.floor
      local.tee $v
      f64.const 1
      f64.add
      local.get $v
      local.get $c
      local.get $v
      f64.sub
      f64.const 0.5
      f64.ge
      select
      local.set $v
      local.get $out0
      ${MOD('$q0', '$i0')}
      i32.store
      local.get $out1
      ${MOD('$q1', '$i1')}
      i32.store
      local.get $buf
      i32.const 16
      i32.add
      local.set $buf
      local.get $twist
      i32.const 16
      i32.add
      local.set $twist
      local.get $out0
      i32.const 4
      i32.add
      local.set $out0
      local.get $out1
      i32.const 4
      i32.add
      local.set $out1
      br $next
    end
  end`,
};

export const FFT_FUNCS: readonly FuncDef[] = [fftEnc, twistRound];

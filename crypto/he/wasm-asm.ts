/**
 * A small WebAssembly assembler for our kernels: functions written as flat, line-oriented text in the
 * WebAssembly text format's instruction syntax (`local.get $x`, `i64.mul`, `br_if $loop`,
 * `v128.load offset=16`, …) are turned into a binary module that imports one shared memory ("e"."m") and
 * exports every function. No toolchain and no dependency: the kernels stay readable source in this
 * repository and their bytes are produced at run time.
 *
 * Supported: the scalar i32 / i64 / f64 and SIMD128 instructions listed in OPS, `block` / `loop` with a
 * `$label` (branches name their target label), `if` / `else` without results, `call $fn`, `;;` comments.
 * Anything else is a thrown Error naming the token (a programming error, caught by the kernel tests).
 */

export type ValType = 'i32' | 'i64' | 'f64' | 'v128';

export interface FuncDef {
  readonly name: string;
  /** Parameters in order, by name. */
  readonly params: readonly (readonly [string, ValType])[];
  readonly result?: ValType;
  /** Locals by name (declared in this order). */
  readonly locals?: readonly (readonly [string, ValType])[];
  /** Flat instructions, one per line. */
  readonly body: string;
}

const TYPE_BYTE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f64: 0x7c, v128: 0x7b };

type Imm = 'none' | 'local' | 'label' | 'block' | 'i32' | 'i64' | 'f64' | 'mem' | 'v128' | 'shuffle' | 'lane' | 'call';

/** [opcode bytes, immediate kind, natural alignment (log2) for memory ops]. */
const OPS: Record<string, readonly [readonly number[], Imm, number?]> = {
  unreachable: [[0x00], 'none'],
  block: [[0x02], 'block'],
  loop: [[0x03], 'block'],
  if: [[0x04], 'block'],
  else: [[0x05], 'none'],
  end: [[0x0b], 'none'],
  br: [[0x0c], 'label'],
  br_if: [[0x0d], 'label'],
  return: [[0x0f], 'none'],
  call: [[0x10], 'call'],
  drop: [[0x1a], 'none'],
  select: [[0x1b], 'none'],
  'local.get': [[0x20], 'local'],
  'local.set': [[0x21], 'local'],
  'local.tee': [[0x22], 'local'],
  'i32.load': [[0x28], 'mem', 2],
  'i64.load': [[0x29], 'mem', 3],
  'f64.load': [[0x2b], 'mem', 3],
  'i64.load32_u': [[0x35], 'mem', 2],
  'i32.store': [[0x36], 'mem', 2],
  'i64.store': [[0x37], 'mem', 3],
  'f64.store': [[0x39], 'mem', 3],
  'i64.store32': [[0x3e], 'mem', 2],
  'i32.const': [[0x41], 'i32'],
  'i64.const': [[0x42], 'i64'],
  'f64.const': [[0x44], 'f64'],
  'i32.eqz': [[0x45], 'none'],
  'i32.eq': [[0x46], 'none'],
  'i32.ne': [[0x47], 'none'],
  'i32.lt_s': [[0x48], 'none'],
  'i32.lt_u': [[0x49], 'none'],
  'i32.gt_u': [[0x4b], 'none'],
  'i32.le_u': [[0x4d], 'none'],
  'i32.ge_u': [[0x4f], 'none'],
  'i64.eqz': [[0x50], 'none'],
  'i64.lt_s': [[0x53], 'none'],
  'i64.lt_u': [[0x54], 'none'],
  'i64.gt_s': [[0x55], 'none'],
  'i64.ge_s': [[0x59], 'none'],
  'i64.ge_u': [[0x5a], 'none'],
  'i32.add': [[0x6a], 'none'],
  'i32.sub': [[0x6b], 'none'],
  'i32.mul': [[0x6c], 'none'],
  'i32.and': [[0x71], 'none'],
  'i32.or': [[0x72], 'none'],
  'i32.xor': [[0x73], 'none'],
  'i32.shl': [[0x74], 'none'],
  'i32.shr_s': [[0x75], 'none'],
  'i32.shr_u': [[0x76], 'none'],
  'i64.add': [[0x7c], 'none'],
  'i64.sub': [[0x7d], 'none'],
  'i64.mul': [[0x7e], 'none'],
  'i64.div_u': [[0x80], 'none'],
  'i64.rem_s': [[0x81], 'none'],
  'i64.rem_u': [[0x82], 'none'],
  'i64.and': [[0x83], 'none'],
  'i64.or': [[0x84], 'none'],
  'i64.shl': [[0x86], 'none'],
  'i64.shr_s': [[0x87], 'none'],
  'i64.shr_u': [[0x88], 'none'],
  'f64.lt': [[0x63], 'none'],
  'f64.ge': [[0x66], 'none'],
  'f64.floor': [[0x9c], 'none'],
  'f64.nearest': [[0x9e], 'none'],
  'f64.add': [[0xa0], 'none'],
  'f64.sub': [[0xa1], 'none'],
  'f64.mul': [[0xa2], 'none'],
  'f64.div': [[0xa3], 'none'],
  'i32.wrap_i64': [[0xa7], 'none'],
  'i32.trunc_f64_u': [[0xab], 'none'],
  'i64.extend_i32_s': [[0xac], 'none'],
  'i64.extend_i32_u': [[0xad], 'none'],
  'i64.trunc_f64_s': [[0xb0], 'none'],
  'f64.convert_i32_u': [[0xb8], 'none'],
  'f64.convert_i64_s': [[0xb9], 'none'],
  'f64.convert_i64_u': [[0xba], 'none'],
  'i64.reinterpret_f64': [[0xbd], 'none'],
  'f64.reinterpret_i64': [[0xbf], 'none'],
  // SIMD128 (prefix 0xfd, LEB128 opcode)
  'v128.load': [[0xfd, 0x00], 'mem', 4],
  'v128.store': [[0xfd, 0x0b], 'mem', 4],
  'v128.const': [[0xfd, 0x0c], 'v128'],
  'i8x16.shuffle': [[0xfd, 0x0d], 'shuffle'],
  'i32x4.splat': [[0xfd, 0x11], 'none'],
  'i64x2.splat': [[0xfd, 0x12], 'none'],
  'f64x2.splat': [[0xfd, 0x14], 'none'],
  'i32x4.extract_lane': [[0xfd, 0x1b], 'lane'],
  'i64x2.extract_lane': [[0xfd, 0x1d], 'lane'],
  'f64x2.extract_lane': [[0xfd, 0x21], 'lane'],
  'i32x4.lt_s': [[0xfd, 0x39], 'none'],
  'v128.and': [[0xfd, 0x4e], 'none'],
  'v128.or': [[0xfd, 0x50], 'none'],
  'v128.xor': [[0xfd, 0x51], 'none'],
  'v128.bitselect': [[0xfd, 0x52], 'none'],
  'i32x4.shl': [[0xfd, 0xab, 0x01], 'none'],
  'i32x4.shr_u': [[0xfd, 0xad, 0x01], 'none'],
  'i32x4.add': [[0xfd, 0xae, 0x01], 'none'],
  'i32x4.sub': [[0xfd, 0xb1, 0x01], 'none'],
  'i32x4.mul': [[0xfd, 0xb5, 0x01], 'none'],
  'i32x4.min_u': [[0xfd, 0xb7, 0x01], 'none'],
  'i64x2.shr_u': [[0xfd, 0xcd, 0x01], 'none'],
  'i64x2.add': [[0xfd, 0xce, 0x01], 'none'],
  'i64x2.sub': [[0xfd, 0xd1, 0x01], 'none'],
  'f64x2.floor': [[0xfd, 0x75], 'none'],
  'f64x2.add': [[0xfd, 0xf0, 0x01], 'none'],
  'f64x2.sub': [[0xfd, 0xf1, 0x01], 'none'],
  'f64x2.mul': [[0xfd, 0xf2, 0x01], 'none'],
  'i64x2.extmul_low_i32x4_u': [[0xfd, 0xde, 0x01], 'none'],
  'i32x4.trunc_sat_f64x2_u_zero': [[0xfd, 0xfd, 0x01], 'none'],
  'f64x2.convert_low_i32x4_u': [[0xfd, 0xff, 0x01], 'none'],
  'i64x2.extmul_high_i32x4_u': [[0xfd, 0xdf, 0x01], 'none'],
};

function uleb(n: number | bigint): number[] {
  let x = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) b |= 0x80;
    out.push(b);
  } while (x !== 0n);
  return out;
}

function sleb(n: number | bigint): number[] {
  let x = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function lanes(kind: string, values: string[]): number[] {
  const bytes = new Uint8Array(16);
  const dv = new DataView(bytes.buffer);
  if (kind === 'i32x4' && values.length === 4) for (const [i, v] of values.entries()) dv.setUint32(4 * i, Number(v) >>> 0, true);
  else if (kind === 'i64x2' && values.length === 2) for (const [i, v] of values.entries()) dv.setBigUint64(8 * i, BigInt.asUintN(64, BigInt(v)), true);
  else if (kind === 'f64x2' && values.length === 2) for (const [i, v] of values.entries()) dv.setFloat64(8 * i, Number(v), true);
  else throw new Error(`wasm-asm: bad v128.const ${kind} ${values.join(' ')}`);
  return Array.from(bytes);
}

/** Assemble one function body. */
function assembleBody(f: FuncDef, funcIndex: ReadonlyMap<string, number>): number[] {
  const locals = new Map<string, number>();
  for (const [n] of f.params) locals.set(n, locals.size);
  for (const [n] of f.locals ?? []) {
    if (locals.has(n)) throw new Error(`wasm-asm: ${f.name}: duplicate local ${n}`);
    locals.set(n, locals.size);
  }
  const code: number[] = [];
  const labels: string[] = [];
  const lines = f.body.split('\n');
  for (const raw of lines) {
    const line = raw.replace(/;;.*$/, '').trim();
    if (!line) continue;
    const [op, ...args] = line.split(/\s+/);
    const spec = OPS[op!];
    if (!spec) throw new Error(`wasm-asm: ${f.name}: unknown instruction ${op}`);
    const [bytes, imm, align] = spec;
    code.push(...bytes);
    const arg = (i: number): string => {
      const a = args[i];
      if (a === undefined) throw new Error(`wasm-asm: ${f.name}: ${op} needs an operand`);
      return a;
    };
    switch (imm) {
      case 'none':
        if (op === 'end') labels.pop();
        break;
      case 'local': {
        const idx = locals.get(arg(0).replace(/^\$/, ''));
        if (idx === undefined) throw new Error(`wasm-asm: ${f.name}: unknown local ${arg(0)}`);
        code.push(...uleb(idx));
        break;
      }
      case 'block':
        labels.push(args[0] ?? '');
        code.push(0x40);
        break;
      case 'label': {
        const depth = labels.length - 1 - labels.lastIndexOf(arg(0));
        if (depth >= labels.length) throw new Error(`wasm-asm: ${f.name}: unknown label ${arg(0)}`);
        code.push(...uleb(depth));
        break;
      }
      case 'call': {
        const idx = funcIndex.get(arg(0).replace(/^\$/, ''));
        if (idx === undefined) throw new Error(`wasm-asm: ${f.name}: unknown function ${arg(0)}`);
        code.push(...uleb(idx));
        break;
      }
      case 'i32':
        code.push(...sleb(BigInt.asIntN(32, BigInt(arg(0)))));
        break;
      case 'i64':
        code.push(...sleb(BigInt.asIntN(64, BigInt(arg(0)))));
        break;
      case 'f64': {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, Number(arg(0)), true);
        code.push(...b);
        break;
      }
      case 'mem': {
        const off = args.find((a) => a.startsWith('offset='));
        code.push(align!, ...uleb(off ? Number(off.slice(7)) : 0));
        break;
      }
      case 'v128':
        code.push(...lanes(arg(0), args.slice(1)));
        break;
      case 'shuffle':
        if (args.length !== 16) throw new Error(`wasm-asm: ${f.name}: i8x16.shuffle needs 16 lanes`);
        code.push(...args.map(Number));
        break;
      case 'lane':
        code.push(Number(arg(0)));
        break;
    }
  }
  if (labels.length !== 0) throw new Error(`wasm-asm: ${f.name}: unbalanced blocks`);
  const groups: number[][] = [];
  for (const [, t] of f.locals ?? []) {
    const last = groups[groups.length - 1];
    if (last && last[1] === TYPE_BYTE[t]) last[0]!++;
    else groups.push([1, TYPE_BYTE[t]]);
  }
  const body = [...vec(groups.map(([n, t]) => [...uleb(n!), t!])), ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

/** A module importing one shared memory ("e"."m", up to 4 GiB) and exporting every function by name. */
export function assembleModule(funcs: readonly FuncDef[]): Uint8Array {
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const types = funcs.map((f) => [0x60, ...vec(f.params.map(([, t]) => [TYPE_BYTE[t]])), ...vec(f.result ? [[TYPE_BYTE[f.result]]] : [])]);
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, vec([[...name('e'), ...name('m'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]])),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(funcs.map((f) => assembleBody(f, funcIndex)))),
  ];
  return Uint8Array.from(bytes);
}

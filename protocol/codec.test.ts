import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, encodeWithEncodedArray } from './codec.ts';
import { VeilError } from './errors.ts';

const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.string(),
    fc.uint8Array({ maxLength: 64 }),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'),
      tie('v'),
      { maxKeys: 5 },
    ),
  ),
})).v;

const norm = (x: unknown): unknown =>
  x instanceof Uint8Array
    ? Array.from(x)
    : Array.isArray(x)
      ? x.map(norm)
      : x && typeof x === 'object'
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, norm(v)]))
        : Object.is(x, -0)
          ? 0
          : x;

describe('codec', () => {
  it('round-trips any msgpack value (property)', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(norm(decode(encode(v), 1 << 20))).toEqual(norm(v));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes binaries as copies, not views into the input', () => {
    const wire = encode({ b: new Uint8Array([1, 2, 3]) });
    const out = decode(wire, 1024) as { b: Uint8Array };
    wire.fill(0);
    expect(Array.from(out.b)).toEqual([1, 2, 3]);
  });

  it('rejects trailing bytes, truncation, empty input and oversize with typed errors', () => {
    const wire = encode({ a: 1 });
    for (const bad of [new Uint8Array([...wire, 0]), wire.subarray(0, wire.length - 1), new Uint8Array(0)]) {
      expect(() => decode(bad, 1024)).toThrowError(VeilError);
      try {
        decode(bad, 1024);
      } catch (e) {
        expect((e as VeilError).code).toBe('bad_msgpack');
      }
    }
    expect(() => decode(wire, 2)).toThrow(expect.objectContaining({ code: 'too_large' }));
  });

  it('splices pre-encoded array items into a frame exactly like a whole encode', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), fc.string(), (items, tag) => {
        const spliced = encodeWithEncodedArray(
          { t: tag },
          'batch',
          items.map((i) => encode(i)),
        );
        expect(norm(decode(spliced, 1 << 22))).toEqual(norm({ t: tag, batch: items }));
      }),
      { numRuns: 100 },
    );
    const many = Array.from({ length: 70_000 }, (_, i) => encode(i));
    expect((decode(encodeWithEncodedArray({}, 'b', many), 1 << 22) as { b: number[] }).b.length).toBe(70_000);
  });

  it('never surfaces decoded data in an error', () => {
    const secret = 'Ivanov-1979-05-21';
    const wire = encode({ name: secret });
    try {
      decode(new Uint8Array([...wire, 0xc1]), 1024);
      expect.unreachable();
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(secret);
    }
  });
});

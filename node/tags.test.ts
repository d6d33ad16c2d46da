/**
 * TagBuilder: the tags it returns are the OPRF evaluations of the inputs, in order, on the worker path
 * and inline, with repeated inputs (within a call and across calls) and with overlapping calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, initCrypto, OprfKey, utf8 } from '#crypto';
import { LIMITS } from '#protocol';
import { TagBuilder } from './tags.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
let key: OprfKey;
let builder: TagBuilder;

beforeAll(async () => {
  await initCrypto();
  key = OprfKey.generate('voprf');
  builder = new TagBuilder([{ epoch: 3, secret: key.secretBytes() }], 2);
});

afterAll(() => builder.close());

const expected = (inputs: Uint8Array[]) => inputs.map((i) => hex(evaluate(key, i).subarray(0, LIMITS.tagBytes)));

describe('TagBuilder', () => {
  it('evaluates many inputs on the workers, repeated ones included, in input order', async () => {
    const inputs = Array.from({ length: 900 }, (_, i) => utf8(`key-${i % 600}`));
    const tags = await builder.tags(3, inputs);
    expect(tags.map(hex)).toEqual(expected(inputs));
  });

  it('gives the same tags for inputs it has seen before, alone or mixed with new ones, and for overlapping calls', async () => {
    const seen = Array.from({ length: 300 }, (_, i) => utf8(`key-${i}`));
    const mixed = Array.from({ length: 700 }, (_, i) => utf8(i % 2 ? `key-${i}` : `new-${i}`));
    const [a, b, c] = await Promise.all([builder.tags(3, seen), builder.tags(3, mixed), builder.tags(3, mixed.slice(0, 10))]);
    expect(a.map(hex)).toEqual(expected(seen));
    expect(b.map(hex)).toEqual(expected(mixed));
    expect(c.map(hex)).toEqual(expected(mixed.slice(0, 10)));
  });

  it('refuses an epoch it has no key for', async () => {
    await expect(builder.tags(4, [utf8('x')])).rejects.toThrow(/no key for epoch 4/);
  });
});

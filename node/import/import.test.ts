/**
 * `importFile` on a real node directory (real SQLite, real OPRF on worker threads), with files larger
 * than one batch of the second pass: what ends up in the records, their tags and the outbox, and that a
 * bad line or a failure part-way through leaves nothing written. Every outbox chunk is replayed the way
 * the coordinator checks it: applying it to the index so far must give the root and count it carries.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificatePem, initCrypto, SigningKey, TlsKey, x509Certificate } from '#crypto';
import { bucketLeaf, bucketOf, decode, endorseCa, IndexTree, LIMITS, trustBundleFile } from '#protocol';
import { initNode } from '../admin-ops.ts';
import { nodePaths } from '../config.ts';
import { NodeStore } from '../store/sqlite-store.ts';
import { importFile } from './import.ts';

type Pair = [Uint8Array, Uint8Array];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let root: string;
let bundle: string;

beforeAll(async () => {
  await initCrypto();
  root = mkdtempSync(join(tmpdir(), 'veil-import-'));
  bundle = join(root, 'bundle.json');
  const rootKey = SigningKey.generate();
  const ca = TlsKey.generate();
  const name = { cn: 'test CA', o: 'test-org' };
  const caPem = certificatePem(
    x509Certificate({ serial: Uint8Array.of(1), issuer: name, subject: name, notBefore: 0, notAfter: Date.now() + 1e9, subjectSpki: ca.spki(), ca: true }, ca),
  );
  writeFileSync(
    bundle,
    JSON.stringify(trustBundleFile({ org: 'test-org', rootPub: rootKey.publicKey(), caPem, caEndorsement: endorseCa(rootKey, 'test-org', caPem, Date.now()) })),
  );
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

let nodes = 0;
async function freshNode(): Promise<string> {
  const dir = join(root, `node-${++nodes}`);
  await initNode(dir, { port: 0, adminPort: 0, country: 'DE', bundle });
  return dir;
}

const FAMILY = ['Weber', 'Schmidt', 'Müller', 'Novak', 'Rossi', 'Garcia', 'Ivanova', 'Papadopoulos', 'Dubois', 'Kowalski'];
const GIVEN = ['Karl', 'Anna', 'Jonas', 'Lea', 'Marco', 'Eva', 'Tomasz', 'Sofia', 'Hugo', 'Ines'];

function person(i: number, variant = 0): Record<string, unknown> {
  const year = 1950 + ((i * 7 + variant) % 50);
  return {
    id: `p-${i}`,
    kind: 'person',
    dataset: 'wanted-persons',
    handling: 'restricted',
    person: { family: FAMILY[i % FAMILY.length], given: GIVEN[(i >> 3) % GIVEN.length], dob: `${year}-0${1 + (i % 9)}-1${i % 10}` },
  };
}

function vehicle(i: number): Record<string, unknown> {
  return {
    id: `v-${i}`,
    kind: 'vehicle',
    dataset: 'stolen-vehicles',
    handling: 'official-use',
    vehicle: { vin: `WVWZZZ1KZ6W${String(100000 + i).padStart(6, '0')}`, make: 'Volkswagen', country: 'DEU' },
  };
}

function write(name: string, lines: unknown[]): string {
  const f = join(root, name);
  writeFileSync(f, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return f;
}

/** 2,600 records: more than two batches of the second pass, so its pipeline and several writes run. */
const BIG = [...Array.from({ length: 2200 }, (_, i) => person(i)), ...Array.from({ length: 400 }, (_, i) => vehicle(i))];

interface State {
  records: number;
  keys: Set<string>;
  outbox: Array<{ seq: number; epoch: number; adds: Pair[]; removes: Pair[]; final: number; root: Uint8Array; entries: number }>;
  audit: number;
}

function state(dir: string): State {
  const store = new NodeStore(nodePaths(dir).db);
  try {
    const keys = store.db.prepare('SELECT tag, token FROM record_keys WHERE epoch = 1').all() as Array<{ tag: Uint8Array; token: Uint8Array }>;
    const rows = store.db.prepare('SELECT seq, epoch, adds, removes, final, root, entries FROM outbox ORDER BY seq').all() as Array<{
      seq: number;
      epoch: number;
      adds: Uint8Array;
      removes: Uint8Array;
      final: number;
      root: Uint8Array;
      entries: number;
    }>;
    return {
      records: store.records.count(),
      keys: new Set(keys.map((k) => `${hex(k.tag)}:${hex(k.token)}`)),
      outbox: rows.map((r) => ({ ...r, adds: decode(r.adds, LIMITS.maxPayloadBytes) as Pair[], removes: decode(r.removes, LIMITS.maxPayloadBytes) as Pair[] })),
      audit: (store.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE kind = 'records.imported'").get() as { n: number }).n,
    };
  } finally {
    store.close();
  }
}

/** Replays the outbox as the coordinator would; returns the index it ends with. */
function replay(outbox: State['outbox']): Set<string> {
  const buckets = new Map<number, Map<string, Pair>>();
  const blocks = new Map<number, Uint8Array>();
  const tree = new IndexTree({ get: (b) => blocks.get(b), put: (b, h) => void blocks.set(b, h) });
  let count = 0;
  for (const c of outbox) {
    expect(c.adds.length + c.removes.length).toBeLessThanOrEqual(LIMITS.maxPublishPairs);
    const touched = new Set<number>();
    for (const [tag, token] of c.removes) {
      const b = bucketOf(tag);
      if (buckets.get(b)?.delete(`${hex(tag)}:${hex(token)}`)) count--;
      touched.add(b);
    }
    for (const [tag, token] of c.adds) {
      const b = bucketOf(tag);
      const m = buckets.get(b) ?? new Map<string, Pair>();
      buckets.set(b, m);
      if (!m.has(`${hex(tag)}:${hex(token)}`)) count++;
      m.set(`${hex(tag)}:${hex(token)}`, [tag, token]);
      touched.add(b);
    }
    tree.setBuckets(new Map([...touched].map((b) => [b, bucketLeaf(b, [...(buckets.get(b)?.values() ?? [])])])));
    expect(hex(tree.root())).toBe(hex(c.root));
    expect(c.entries).toBe(count);
  }
  return new Set([...buckets.values()].flatMap((m) => [...m.keys()]));
}

describe('importFile', () => {
  it('imports a file of several batches: every record, its tags, and outbox chunks that replay to the same index', async () => {
    const dir = await freshNode();
    const phases = new Set<string>();
    const r = await importFile(dir, write('big.ndjson', BIG), { workers: 1, onProgress: (p) => phases.add(p.phase) });
    expect(r).toMatchObject({ written: true, lines: BIG.length, valid: BIG.length, invalid: 0, upserted: BIG.length, unchanged: 0, deleted: 0 });
    expect([...phases]).toEqual(['validate', 'index', 'write']);
    const s = state(dir);
    expect(s.records).toBe(BIG.length);
    expect(s.keys.size).toBe(r.tagsAdded);
    expect(r.tagsAdded).toBeGreaterThan(BIG.length * 4);
    expect(s.outbox).toHaveLength(r.chunks + 1); // initNode queued the final (empty) chunk of epoch 1
    expect(replay(s.outbox)).toEqual(s.keys);
    expect(s.audit).toBe(1);

    // Again: nothing changed, nothing to publish.
    const again = await importFile(dir, write('big-again.ndjson', BIG), { workers: 1 });
    expect(again).toMatchObject({ written: true, upserted: 0, unchanged: BIG.length, tagsAdded: 0, tagsRemoved: 0, chunks: 0 });
  });

  it('applies changes, deletes and repeated ids (the last operation wins) and publishes only the difference', async () => {
    const dir = await freshNode();
    await importFile(dir, write('base.ndjson', BIG), { workers: 1 });
    const lines: unknown[] = [
      ...Array.from({ length: 1500 }, (_, i) => person(i, 3)), // new dates of birth: changed keys
      ...Array.from({ length: 300 }, (_, i) => ({ op: 'delete', id: `v-${i}` })),
      { op: 'delete', id: 'nobody' },
      person(5000),
      { op: 'delete', id: 'p-5000' }, // deleted again later in the file: never written
      person(5001, 1),
      person(5001, 2), // the second one wins
    ];
    const r = await importFile(dir, write('changes.ndjson', lines), { workers: 1 });
    expect(r).toMatchObject({ written: true, upserted: 1501, deleted: 300, deleteMissing: 2, unchanged: 0 });
    expect(r.tagsRemoved).toBeGreaterThan(0);
    const s = state(dir);
    expect(s.records).toBe(BIG.length - 300 + 1);
    expect(replay(s.outbox)).toEqual(s.keys);
    const store = new NodeStore(nodePaths(dir).db);
    try {
      expect(store.records.get('p-5000')).toBeUndefined();
      expect(JSON.parse(store.records.get('p-5001')?.body ?? '{}')).toEqual(person(5001, 2));
      expect(store.records.get('v-0')).toBeUndefined();
      expect(store.records.keysOf('v-0')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('writes nothing when a line in the middle of a large file is invalid, and everything else with skipInvalid', async () => {
    const dir = await freshNode();
    await importFile(dir, write('first.ndjson', BIG.slice(0, 100)), { workers: 1 });
    const before = state(dir);
    const lines: unknown[] = [...BIG.slice(100, 1800), { ...person(9999), person: { family: 'Secretname', dob: '1999-02-31' } }, ...BIG.slice(1800)];
    const file = write('bad-middle.ndjson', lines);
    const r = await importFile(dir, file, { workers: 1 });
    expect(r.written).toBe(false);
    expect(r.errors).toEqual([{ line: 1701, reason: expect.not.stringMatching(/Secretname|1999-02-31/) }]);
    expect(state(dir)).toEqual(before);

    const skipped = await importFile(dir, file, { workers: 1, skipInvalid: true });
    expect(skipped).toMatchObject({ written: true, invalid: 1, upserted: BIG.length - 100 });
    const s = state(dir);
    expect(s.records).toBe(BIG.length);
    expect(replay(s.outbox)).toEqual(s.keys);
  });

  it('rolls back batches already written when the import fails part-way (here: the file changes under it)', async () => {
    const dir = await freshNode();
    await importFile(dir, write('seed.ndjson', BIG.slice(0, 50)), { workers: 1 });
    const before = state(dir);
    const file = write('moving.ndjson', BIG.slice(50));
    let appended = false;
    const run = importFile(dir, file, {
      workers: 1,
      onProgress: (p) => {
        // once the first batch is written inside the transaction, the file grows
        if (p.phase === 'index' && p.done > 0 && !appended) {
          appended = true;
          appendFileSync(file, `${JSON.stringify(person(7777))}\n`);
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'conflict' });
    expect(appended).toBe(true);
    expect(state(dir)).toEqual(before);
  });
});

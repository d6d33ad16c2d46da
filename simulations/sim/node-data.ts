/**
 * A simulated node's data, written to its real store the way `veil node import` and `veil node
 * rotate-key` write it (node/import/import.ts, node/admin-ops.ts): records validated by the import's
 * own validator, match keys derived by the shared module, tags under every live epoch, templates into
 * the gallery, and the index changes as signed-and-committed outbox chunks for the publisher — all in
 * one transaction. Those commands work on a node directory; a simulation holds keys in memory and
 * draws them from its seed, so the same steps run here on the store.
 *
 * Tags come from a `Tagger` (`tagger.ts`): the node's real OPRF evaluation, except where a scenario
 * allows pseudorandom tags for keys no query of the run can meet (documented there).
 */
import { sha256 } from '#crypto';
import { canonicalJson, hitToken, IndexDelta, type NodeKeys, type NodeStore, nodeAudit, syncRecordKeys, tagHex } from '#node';
import { BIO_MODALITIES, type BioModality, decodeTemplate, type MatchClass, matchKeysForRecord, parseRecord, type VeilRecord } from '#protocol';

/** Tags for `inputs` under one epoch's key (`secret`), 16 bytes each, in order. */
export type Tagger = (epoch: number, secret: Uint8Array, inputs: readonly Uint8Array[]) => Uint8Array[];

export interface WriteReport {
  written: number;
  /** Records the import validator refused (with the first reasons). */
  refused: number;
  reasons: string[];
  tags: number;
  templates: number;
}

const enc = new TextEncoder();

/** Upsert `records` (raw objects, as a data owner would hand them over) in one transaction. */
export function writeRecords(store: NodeStore, keys: NodeKeys, country: string, raw: readonly object[], tagger: Tagger, now: number): WriteReport {
  const report: WriteReport = { written: 0, refused: 0, reasons: [], tags: 0, templates: 0 };
  const records: VeilRecord[] = [];
  for (const obj of raw) {
    const r = parseRecord(obj);
    if (r.ok && r.record.op === 'upsert') records.push(r.record.record);
    else {
      report.refused++;
      if (!r.ok && report.reasons.length < 5) report.reasons.push(r.reason);
    }
  }
  const changes = records.map((record) => ({ record, keys: matchKeysForRecord(record).map((k) => ({ cls: k.cls, input: k.input })) }));
  const epochs = store.records.liveEpochs();
  const flat = changes.flatMap((c) => c.keys.map((k) => k.input));
  const tagsByEpoch = new Map(epochs.map((e) => [e.epoch, tagger(e.epoch, e.secret, flat)]));
  const audit = nodeAudit(store, keys);
  const delta = new IndexDelta();
  store.tx(() => {
    let offset = 0;
    for (const c of changes) {
      const id = c.record.id;
      const current = store.records.keysOf(id);
      for (const e of epochs) {
        const tags = tagsByEpoch.get(e.epoch) ?? [];
        const wanted = new Map<string, { tag: Uint8Array; cls: MatchClass }>();
        c.keys.forEach((k, i) => {
          const tag = tags[offset + i] as Uint8Array;
          wanted.set(tagHex(tag), { tag, cls: k.cls });
        });
        syncRecordKeys(store, delta, keys.token, country, id, e.epoch, current, wanted);
      }
      offset += c.keys.length;
      for (const m of BIO_MODALITIES) {
        const v = c.record.biometrics?.[m];
        if (v !== undefined) {
          store.gallery.set(m, id, decodeTemplate(v, m as BioModality).vector);
          report.templates++;
        } else store.gallery.remove(m, id);
      }
      const { biometrics: _bio, ...withoutBio } = c.record;
      const digest = sha256(enc.encode(canonicalJson(c.record)));
      store.records.upsert({ id, kind: c.record.kind, dataset: c.record.dataset, handling: c.record.handling, body: canonicalJson(withoutBio), digest }, now);
      report.written++;
    }
    report.tags = delta.size.added;
    delta.flush(store);
    audit.append({ kind: 'records.imported', count: report.written, status: report.refused > 0 ? 'partial' : 'complete' });
  });
  return report;
}

/** Withdraw records and their tags (an import line `{"op":"delete","id":…}` each). */
export function deleteRecords(store: NodeStore, keys: NodeKeys, country: string, ids: readonly string[]): number {
  const audit = nodeAudit(store, keys);
  const delta = new IndexDelta();
  let n = 0;
  store.tx(() => {
    for (const id of ids) {
      if (!store.records.get(id)) continue;
      const current = store.records.keysOf(id);
      for (const e of store.records.liveEpochs()) syncRecordKeys(store, delta, keys.token, country, id, e.epoch, current, new Map());
      for (const m of BIO_MODALITIES) store.gallery.remove(m, id);
      store.records.delete(id);
      n++;
    }
    delta.flush(store);
    audit.append({ kind: 'records.imported', count: n, status: 'complete' });
  });
  return n;
}

/**
 * A key rotation (`veil node rotate-key`): a new epoch with `secret`, every record's tags under it
 * queued in full with the last chunk final; the node switches when the coordinator acknowledges it.
 */
export function rotateKey(store: NodeStore, keys: NodeKeys, country: string, secret: Uint8Array, tagger: Tagger, now: number): { epoch: number; tags: number } {
  const epochs = store.records.epochs();
  if (epochs.some((e) => e.state === 'pending')) return { epoch: 0, tags: 0 };
  const epoch = Math.max(...epochs.map((e) => e.epoch)) + 1;
  const items: Array<{ id: string; cls: MatchClass; input: Uint8Array }> = [];
  for (const r of store.records.iterate()) {
    for (const k of matchKeysForRecord(JSON.parse(r.body) as VeilRecord)) items.push({ id: r.id, cls: k.cls, input: k.input });
  }
  const tags = tagger(
    epoch,
    secret,
    items.map((i) => i.input),
  );
  let count = 0;
  store.tx(() => {
    store.records.addEpoch(epoch, secret, 'pending', now);
    const delta = new IndexDelta();
    const seen = new Set<string>();
    items.forEach((it, i) => {
      const tag = tags[i] as Uint8Array;
      const k = `${it.id}|${tagHex(tag)}`;
      if (seen.has(k)) return;
      seen.add(k);
      const token = hitToken(keys.token, country, it.id, it.cls, epoch);
      store.records.addKey(it.id, { epoch, cls: it.cls, tag, token });
      delta.add(epoch, [tag, token]);
    });
    delta.flush(store, epoch);
    count = seen.size;
    nodeAudit(store, keys).append({ kind: 'key.rotated', epoch, count });
  });
  return { epoch, tags: count };
}

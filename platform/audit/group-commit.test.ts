/**
 * Group commit (group-commit.ts): the entries of one event-loop turn share one transaction, each append
 * resolves only once committed, the chain verifies, and an entry outside the allow-list is refused on
 * its own without failing the others.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { VeilError } from '#protocol';
import { check, count, open, removeAuditFiles, SAMPLE, signer } from './audit.test-fixture.ts';
import type { AuditEntry } from './entry.ts';
import { createAuditGroupCommit } from './group-commit.ts';
import { AuditLog } from './log.ts';

afterAll(removeAuditFiles);

describe('audit group commit', () => {
  it('writes the entries of one turn in one transaction, each resolved once committed', async () => {
    const db = open();
    const log = new AuditLog(db, { signer, checkpointEvery: 4 });
    const batches: number[] = [];
    const counted = {
      appendAll: (entries: readonly AuditEntry[]) => {
        batches.push(entries.length);
        log.appendAll(entries);
      },
    };
    const group = createAuditGroupCommit(counted);
    let settled = 0;
    const first = SAMPLE.map((e) => group.append(e).then(() => settled++));
    // Nothing is committed, nor resolved, within the turn.
    expect([count(db), settled]).toEqual([0, 0]);
    await Promise.all(first);
    await Promise.all(SAMPLE.slice(0, 3).map((e) => group.append(e)));
    expect(batches).toEqual([SAMPLE.length, 3]);
    // Nine entries plus a checkpoint every four: the chain verifies.
    expect(count(db)).toBe(9 + 2);
    expect(check(db).ok).toBe(true);
  });

  it('refuses an entry outside the allow-list at once; the others of its turn are committed', async () => {
    const db = open();
    const group = createAuditGroupCommit(new AuditLog(db, { signer }));
    const ok = group.append(SAMPLE[0] as AuditEntry);
    expect(() => group.append({ kind: 'query.answered', status: 'Muller' } as AuditEntry)).toThrow(VeilError);
    await ok;
    expect(count(db)).toBe(1);
  });
});

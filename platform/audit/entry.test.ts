/** What an audit entry may hold: the allow-list rejects identifiers and writes nothing. */
import { afterAll, describe, expect, it } from 'vitest';
import { VeilError } from '#protocol';
import { count, makeLog, open, removeAuditFiles, signer } from './audit.test-fixture.ts';
import type { AuditEntry } from './entry.ts';
import { AUDIT_KINDS, type AuditKind } from './kinds.ts';
import { AuditLog } from './log.ts';

afterAll(removeAuditFiles);

describe('audit log: validation (allow-list, no identifiers)', () => {
  const bad: [string, unknown, string][] = [
    ['field not in the allow-list', { kind: 'query.received', name: 'Hans Muller' }, 'unknown field "name"'],
    ['odd unknown key is not echoed', { kind: 'query.received', 'Hans Muller': 1 }, 'an unknown field'],
    ['space in a code field', { kind: 'query.refused', code: 'refused by policy' }, 'field "code"'],
    ['name-like string in a code field', { kind: 'query.answered', status: 'Muller' }, 'field "status"'],
    ['name in the country field', { kind: 'query.received', country: 'Hans' }, 'field "country"'],
    ['free text as purpose', { kind: 'query.received', purpose: 'suspect Hans Muller, born 1970' }, 'field "purpose"'],
    ['email as account id', { kind: 'owner.login', owner: 'hans.muller@police.example' }, 'field "owner"'],
    ['non-ASCII id', { kind: 'query.received', queryId: 'müller' }, 'field "queryId"'],
    ['over-long id', { kind: 'query.received', queryId: 'a'.repeat(65) }, 'field "queryId"'],
    ['document number in case text', { kind: 'disclosure.requested', legalBasis: 'case X123456 passport' }, 'field "legalBasis"'],
    ['fractional count', { kind: 'eval.served', count: 1.5 }, 'field "count"'],
    ['negative count', { kind: 'eval.served', count: -1 }, 'field "count"'],
    ['NaN', { kind: 'eval.served', ms: Number.NaN }, 'field "ms"'],
    ['Infinity', { kind: 'eval.served', bytes: Number.POSITIVE_INFINITY }, 'field "bytes"'],
    ['string for a number', { kind: 'eval.served', count: '3' }, 'field "count"'],
    ['unknown kind', { kind: 'query.leaked' }, 'field "kind"'],
    ['reserved kind', { kind: 'audit.checkpoint' }, 'kind "audit.checkpoint"'],
    ['embedding array', { kind: 'bio.query.received', count: [0.1, 0.2] }, 'field "count"'],
  ];
  for (const [what, entry, field] of bad) {
    it(`rejects ${what} and writes nothing`, () => {
      const { db, log } = makeLog(2, 100);
      const before = log.head();
      let err: unknown;
      try {
        log.append(entry as AuditEntry);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(VeilError);
      expect((err as VeilError).code).toBe('bad_request');
      expect((err as VeilError).message).toContain(field);
      for (const v of Object.values(entry as Record<string, unknown>)) {
        if (typeof v === 'string' && v.length > 3 && !v.startsWith('audit.') && !v.startsWith('query.')) {
          expect((err as VeilError).message).not.toContain(v);
        }
      }
      expect((err as VeilError).message).not.toContain('Hans');
      expect(log.head()).toEqual(before);
      expect(count(db)).toBe(2);
    });
  }

  it('accepts every registered kind (except the reserved one) with every field', () => {
    const log = new AuditLog(open(false), { signer, checkpointEvery: 7 });
    for (const kind of Object.keys(AUDIT_KINDS) as AuditKind[]) {
      if (kind === 'audit.checkpoint') continue;
      log.append({
        kind,
        queryId: 'b7c1e0f2-5d7a-4c1e-9a1b-0f3e2d1c4b5a',
        requestId: 'AbC_-123',
        country: 'DEU',
        peer: 'coordinator',
        analyst: 'analyst:fr/42',
        owner: 'owner.7',
        cls: 'phonetic_yob',
        count: 0,
        status: 'no-hit',
        code: 'over_budget',
        purpose: 'EU-2016/680',
        legalBasis: 'art-3',
        epoch: 12,
        bytes: Number.MAX_SAFE_INTEGER,
        ms: 5,
      });
    }
  });
});

/**
 * The member registry on SQLite: countries that logged in with a certificate from the organisation,
 * their certified key and certificate, their status under the revocation list, and their last descriptor.
 */
import type { AuditEntry, Db } from '#platform';
import type { Admission, MemberRow, MemberStatus, MembersRepository } from './repositories.ts';
import type { SqliteAuditWriter } from './sqlite-audit.ts';

interface MemberDbRow {
  country: string;
  sign_pub: Uint8Array;
  admitted_at: number;
  cert: Uint8Array | null;
  descriptor: Uint8Array | null;
  status: string;
}

const COLUMNS = 'country, sign_pub, admitted_at, cert, descriptor, status';

export function sqliteMembers(db: Db, deps: { audit: SqliteAuditWriter; now: () => number }): MembersRepository {
  const selectOne = db.prepare<[string], MemberDbRow>(`SELECT ${COLUMNS} FROM members WHERE country = ?`);
  const selectActive = db.prepare<[], MemberDbRow>(`SELECT ${COLUMNS} FROM members WHERE status = 'active' ORDER BY country`);
  // box_pub (schema v1) is unused since keys come from certificates and descriptors: written empty.
  const upsert = db.prepare<[string, Uint8Array, Uint8Array, number]>(
    `INSERT INTO members (country, sign_pub, box_pub, cert, admitted_at, status) VALUES (?, ?, x'', ?, ?, 'active')
     ON CONFLICT(country) DO UPDATE SET
       descriptor = CASE WHEN members.sign_pub = excluded.sign_pub THEN members.descriptor ELSE NULL END,
       sign_pub = excluded.sign_pub, cert = excluded.cert, status = 'active'`,
  );
  const updateStatus = db.prepare<[MemberStatus, string]>('UPDATE members SET status = ? WHERE country = ?');
  const updateDescriptor = db.prepare<[Uint8Array, string]>('UPDATE members SET descriptor = ? WHERE country = ?');

  const admitTx = db.transaction((a: Admission, audit: AuditEntry | undefined) => {
    upsert.run(a.country, a.signPub, a.cert, deps.now());
    if (audit) deps.audit.append(audit);
  });
  const statusTx = db.transaction((country: string, status: MemberStatus, audit: AuditEntry | undefined): boolean => {
    if (updateStatus.run(status, country).changes !== 1) return false;
    if (audit) deps.audit.append(audit);
    return true;
  });

  return {
    get: async (country) => {
      const r = selectOne.get(country);
      return r ? toMember(r) : undefined;
    },
    listActive: async () => selectActive.all().map(toMember),
    admit: async (a, audit) => {
      admitTx(a, audit);
    },
    setStatus: async (country, status, audit) => statusTx(country, status, audit),
    setDescriptor: async (country, envelope) => {
      updateDescriptor.run(envelope, country);
    },
  };
}

function toMember(r: MemberDbRow): MemberRow {
  return {
    country: r.country,
    signPub: new Uint8Array(r.sign_pub),
    admittedAt: r.admitted_at,
    cert: r.cert ? new Uint8Array(r.cert) : null,
    descriptor: r.descriptor ? new Uint8Array(r.descriptor) : null,
    status: r.status === 'suspended' || r.status === 'revoked' ? r.status : 'active',
  };
}

/**
 * The member registry on PostgreSQL: the same rules as `sqlite-members.ts` — a login with a valid
 * certificate records the member active with its key and certificate, a new key drops the descriptor
 * the old key signed — each audited write one transaction.
 */
import type { PgDatabase } from '#platform';
import type { PgAuditWriter } from './pg-audit.ts';
import type { MemberRow, MembersRepository } from './repositories.ts';

interface Row {
  country: string;
  sign_pub: Buffer;
  admitted_at: number;
  cert: Buffer | null;
  descriptor: Buffer | null;
  status: string;
}

const COLUMNS = 'country, sign_pub, admitted_at, cert, descriptor, status';

export function pgMembers(db: PgDatabase, deps: { audit: PgAuditWriter; now: () => number }): MembersRepository {
  return {
    get: async (country) => {
      const r = await db.one<Row>(`SELECT ${COLUMNS} FROM members WHERE country = $1`, [country]);
      return r ? toMember(r) : undefined;
    },
    listActive: async () => (await db.query<Row>(`SELECT ${COLUMNS} FROM members WHERE status = 'active' ORDER BY country`)).map(toMember),
    admit: async (a, audit) => {
      await db.tx(async (q) => {
        await q.run(
          `INSERT INTO members (country, sign_pub, cert, admitted_at, status) VALUES ($1, $2, $3, $4, 'active')
           ON CONFLICT (country) DO UPDATE SET
             descriptor = CASE WHEN members.sign_pub = excluded.sign_pub THEN members.descriptor ELSE NULL END,
             sign_pub = excluded.sign_pub, cert = excluded.cert, status = 'active'`,
          [a.country, Buffer.from(a.signPub), Buffer.from(a.cert), deps.now()],
        );
        if (audit) await deps.audit.append(q, audit);
      });
    },
    setStatus: async (country, status, audit) =>
      db.tx(async (q) => {
        if ((await q.run('UPDATE members SET status = $1 WHERE country = $2', [status, country])) !== 1) return false;
        if (audit) await deps.audit.append(q, audit);
        return true;
      }),
    setDescriptor: async (country, envelope) => {
      await db.run('UPDATE members SET descriptor = $1 WHERE country = $2', [Buffer.from(envelope), country]);
    },
  };
}

function toMember(r: Row): MemberRow {
  return {
    country: r.country,
    signPub: new Uint8Array(r.sign_pub),
    admittedAt: r.admitted_at,
    cert: r.cert ? new Uint8Array(r.cert) : null,
    descriptor: r.descriptor ? new Uint8Array(r.descriptor) : null,
    status: r.status === 'suspended' || r.status === 'revoked' ? r.status : 'active',
  };
}

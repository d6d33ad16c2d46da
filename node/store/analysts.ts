/**
 * SQLite repository of the analyst accounts of a node: who may use its gateway, with the signing key
 * their requests are verified against and the box key disclosures are sealed to.
 */
import type { Db } from '#platform';
import type { AnalystRow, AnalystsRepository } from './repositories.ts';
import { blob, type Prepared, prepared } from './statement.ts';

interface AnalystSql {
  id: string;
  name: string;
  sign_pub: Uint8Array;
  box_pub: Uint8Array;
  revoked: number;
}

const toAnalyst = (r: AnalystSql): AnalystRow => ({
  id: r.id,
  name: r.name,
  signPub: blob(r.sign_pub),
  boxPub: blob(r.box_pub),
  revoked: r.revoked === 1,
});

export class SqliteAnalysts implements AnalystsRepository {
  readonly #get: Prepared<[string], AnalystSql>;
  readonly #list: Prepared<[], AnalystSql>;
  readonly #add: Prepared<[string, string, Uint8Array, Uint8Array, number]>;
  readonly #revoke: Prepared<[string]>;

  constructor(db: Db) {
    this.#get = prepared(db, 'SELECT id, name, sign_pub, box_pub, revoked FROM analysts WHERE id = ?');
    this.#list = prepared(db, 'SELECT id, name, sign_pub, box_pub, revoked FROM analysts ORDER BY name');
    this.#add = prepared(db, 'INSERT INTO analysts (id, name, sign_pub, box_pub, created_at) VALUES (?, ?, ?, ?, ?)');
    this.#revoke = prepared(db, 'UPDATE analysts SET revoked = 1 WHERE id = ?');
  }

  get(id: string): AnalystRow | undefined {
    const r = this.#get.get(id);
    return r ? toAnalyst(r) : undefined;
  }

  list(): AnalystRow[] {
    return this.#list.all().map(toAnalyst);
  }

  add(a: Omit<AnalystRow, 'revoked'>, now: number): void {
    this.#add.run(a.id, a.name, a.signPub, a.boxPub, now);
  }

  revoke(id: string): boolean {
    return this.#revoke.run(id).changes > 0;
  }
}

/**
 * The leakage ledger: for each party role, every value it received on the wire (as far as it can
 * decode it, `inspect.ts`), classified by field (`ledger-policy.ts`) and checked against what the
 * design says that role may learn. Independently of fields, every text value is scanned for the
 * identifiers the run's queries are about (names, document numbers, VINs) and for record ids: an
 * identifier in the clear is an excess wherever it appears.
 *
 * What the ledger does not see: what a party computes from what it received (except the one case the
 * policy names: exact lookup tags at the gateway), what sealed boxes contain (opened only by their
 * addressee, which the design entitles), and anything that does not cross a simulated link.
 */
import type { QuerySubject } from '#protocol';
import { categoryOf, type Role, type Verdict, verdict } from './ledger-policy.ts';
import type { Observer, WireEvent } from './observer.ts';

export interface LedgerRow {
  role: Role;
  category: string;
  observations: number;
  /** Parties of that role that saw it. */
  parties: number;
  example: string;
  verdict: Verdict;
  rule: string;
}

const RECORD_ID = /^[A-Z]{2}-\d+$/;

function roleFor(e: WireEvent): Role {
  switch (e.channel) {
    case 'node>coord':
      return 'coordinator';
    case 'analyst>gw':
      return 'gateway';
    case 'gw>analyst':
      return 'analyst';
    case 'coord>node':
      if (e.x.kind === 'eval') return 'target-node';
      if (e.x.kind === 'query-result' || e.x.kind === 'lookup-result') return 'gateway';
      if (e.x.kind === 'mail' && e.x.payloads.includes('fwd-disclosure')) return 'owner-node';
      return 'node';
  }
}

/** Tokens of a subject that identify it: name parts, document number, VIN (lower case). */
export function identifierTokens(s: QuerySubject): string[] {
  if ('name' in s) {
    const words = s.name.split(/[^\p{L}\p{N}]+/u).filter((t) => t.length >= 4);
    const folded = words.map((t) => t.normalize('NFKD').replace(/\p{M}+/gu, '')).filter((t) => t.length >= 4);
    return [...new Set([...words, ...folded].map((t) => t.toLowerCase()))];
  }
  if ('doc' in s) return [s.doc.number.toLowerCase()];
  return [s.vin.toLowerCase()];
}

export class Ledger implements Observer {
  readonly #rows = new Map<string, { role: Role; category: string; n: number; parties: Set<string>; example: string }>();
  #secrets: ReadonlySet<string> = new Set();

  /** The identifiers to look for (lower case), once the workload is planned. */
  setSecrets(tokens: Iterable<string>): void {
    this.#secrets = new Set(tokens);
  }

  message(e: WireEvent): void {
    const role = roleFor(e);
    for (const [path, v] of e.x.leaves) {
      this.#note(role, categoryOf(path, v), e.to, path);
      if (typeof v === 'string') this.#scan(role, e.to, path, v);
    }
  }

  dropped(): void {}

  #note(role: Role, category: string, party: string, path: string): void {
    const key = `${role}|${category}`;
    let r = this.#rows.get(key);
    if (!r) {
      r = { role, category, n: 0, parties: new Set(), example: path };
      this.#rows.set(key, r);
    }
    r.n++;
    r.parties.add(party);
  }

  #scan(role: Role, party: string, path: string, v: string): void {
    if (RECORD_ID.test(v)) this.#note(role, 'identifier:record-id', party, path);
    if (this.#secrets.size === 0) return;
    for (const t of v.split(/[^\p{L}\p{N}]+/u)) {
      if (t.length >= 4 && this.#secrets.has(t.toLowerCase())) {
        this.#note(role, 'identifier:subject', party, path);
        return;
      }
    }
  }

  rows(): LedgerRow[] {
    return [...this.#rows.values()]
      .map((r) => {
        const [v, rule] = verdict(r.role, r.category);
        return {
          role: r.role,
          category: r.category,
          observations: r.n,
          parties: r.parties.size,
          example: r.example,
          verdict: r.category.startsWith('identifier:') ? ('excess' as const) : v,
          rule: r.category.startsWith('identifier:') ? 'no party may see an identifier in the clear on the wire (§8)' : rule,
        };
      })
      .sort((a, b) => (a.role === b.role ? (a.category < b.category ? -1 : 1) : a.role < b.role ? -1 : 1));
  }

  summary(): { excess: number; unlisted: number; allowed: number } {
    const rows = this.rows();
    const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
    return { excess: count('excess'), unlisted: count('unlisted'), allowed: count('allowed') };
  }
}

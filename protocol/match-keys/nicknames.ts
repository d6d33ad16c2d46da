/**
 * Nickname groups for the `nickname_dob` class, from the open nicknames dataset in
 * `data/nicknames.csv` (Apache-2.0; source and version in `data/README.md`).
 *
 * The file lists `name1,has_nickname,name2` triplets. A group is a formal name (`name1`) with all its
 * nicknames; a name belongs to every group it appears in (Alex is in Alexander's, Alexandra's and
 * Alexis's). Names are compared by skeleton, so Aleksandr and Alexander spellings reach the same
 * group where the dataset lists them. A query's and a record's given name meet in this class when
 * they share a group: Bill and William, Bill and Billy, Liz and Beth (both in Elizabeth's).
 *
 * The dataset is English-centred: Slavic and Italian diminutives (Sasha, Beppe) are not in it. Any
 * file in the same triplet format can replace or extend it; doing so changes keys.
 */
import { readFileSync } from 'node:fs';
import { skeleton } from './skeleton.ts';

/** At most this many groups a record's name is keyed under (generic nicknames such as "al" are in dozens). */
export const MAX_GROUPS_PER_NAME = 16;

interface Groups {
  /** name → formal names whose group it belongs to (itself first when it is formal). */
  readonly member: ReadonlyMap<string, readonly string[]>;
  /** formal name → its nicknames that are formal names themselves (Alexander → Alex). */
  readonly formalNicks: ReadonlyMap<string, readonly string[]>;
  /** formal name → its nicknames. */
  readonly nicks: ReadonlyMap<string, readonly string[]>;
}

let groups: Groups | undefined;

function load(): Groups {
  const text = readFileSync(new URL('./data/nicknames.csv', import.meta.url), 'utf8');
  const member = new Map<string, Set<string>>();
  const nicks = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => {
    let s = m.get(k);
    if (s === undefined) m.set(k, (s = new Set()));
    s.add(v);
  };
  for (const line of text.split(/\r?\n/)) {
    const [a, rel, b] = line.split(',');
    if (rel !== 'has_nickname' || a === undefined || b === undefined) continue;
    const formal = skeleton(a.trim().toLowerCase().replace(/[^a-z]/g, ''));
    const nick = skeleton(b.trim().toLowerCase().replace(/[^a-z]/g, ''));
    if (formal === '' || nick === '' || formal === nick) continue;
    add(member, formal, formal);
    add(member, nick, formal);
    add(nicks, formal, nick);
  }
  const order = (name: string, s: Set<string>) => [...s].sort((x, y) => (x === name ? -1 : y === name ? 1 : x.localeCompare(y)));
  const m = new Map<string, readonly string[]>();
  for (const [name, s] of member) m.set(name, order(name, s));
  const f = new Map<string, readonly string[]>();
  for (const [name, s] of nicks) f.set(name, [...s].filter((n) => member.get(n)?.has(n) === true).sort());
  return { member: m, formalNicks: f, nicks: new Map([...nicks].map(([k, v]) => [k, [...v].sort()])) };
}

function get(): Groups {
  groups ??= load();
  return groups;
}

/**
 * The one group a query's name is keyed under: its own when it is a formal name in the dataset,
 * else the first (alphabetically) formal name it is a nickname of. Undefined when not listed.
 */
export function primaryGroup(skel: string): string | undefined {
  return get().member.get(skel)?.[0];
}

/**
 * The groups a record's name is keyed under: every group it belongs to, the groups of its nicknames
 * that are formal names themselves, and the primary group of each of its nicknames, so that a
 * query's primary group meets it whichever is formal (William/Bill, Alexander/Alex, Bill/Billy) and
 * whichever formal name a shared nickname is filed under.
 */
export function recordGroups(skel: string): readonly string[] {
  const g = get();
  const out = new Set([...(g.member.get(skel) ?? []), ...(g.formalNicks.get(skel) ?? [])]);
  // a nickname shared by several formal names is keyed by a query under only one of them
  for (const n of g.nicks.get(skel) ?? []) {
    const p = g.member.get(n)?.[0];
    if (p !== undefined) out.add(p);
  }
  return [...out].slice(0, MAX_GROUPS_PER_NAME);
}

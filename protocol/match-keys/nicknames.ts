/**
 * Nickname groups for the `nickname_dob` class.
 *
 * The class is meant to meet given names and their nicknames and diminutives (William/Bill,
 * Aleksandr/Sasha, Giuseppe/Beppe) through a dictionary taken from a maintained open dataset. This
 * project commits no material fetched from the internet, so that dictionary can only come from a
 * package that `npm ci` installs, and this module alone may import it. **No package on the npm
 * registry carries such a dataset** (the packages checked, and why each does not fit, are in
 * docs/records.md, "Nicknames"): `NICKNAME_DATASET` is undefined, the dictionary is empty, no name
 * is in any group, and neither side derives a `nickname_dob` key. The class never meets; names that
 * differ only as a nickname meet in no class (unless they also sound alike, `phonetic_dob`).
 *
 * The grouping (`nicknameGroups`) is kept and tested on small data the tests write, so that a dataset
 * package, once there is one, is loaded by giving its `name1,has_nickname,name2` triplets to it in
 * `load()` and recording it in `NICKNAME_DATASET`. Doing so changes keys (a protocol change).
 *
 * A group is a formal name with all its nicknames; a name belongs to every group it appears in (Alex
 * in Alexander's, Alexandra's and Alexis's). Names are compared by skeleton, so Aleksandr and
 * Alexander spellings reach the same group where the dataset lists them. A query's and a record's
 * given name meet when they share a group: Bill and William, Bill and Billy, Liz and Beth (both in
 * Elizabeth's).
 */
import { skeleton } from './skeleton.ts';

/** At most this many groups a record's name is keyed under (generic nicknames such as "al" are in dozens). */
export const MAX_GROUPS_PER_NAME = 16;

/** The dataset the dictionary is loaded from: the npm package, its version and licence. */
export interface NicknameDataset {
  readonly dataset: string;
  readonly npmPackage: string;
  readonly version: string;
  readonly licence: string;
}

/** Undefined: no package on the npm registry carries a nickname dataset (see the module comment). */
export const NICKNAME_DATASET: NicknameDataset | undefined = undefined;

/** One `name1,relationship,name2` triplet; only `has_nickname` is read. */
export type NicknameTriplet = readonly [string, string, string];

/** Nickname groups built from triplets. */
export interface NicknameGroups {
  /** How many groups (formal names) there are. */
  readonly size: number;
  /** See the module-level `primaryGroup`. */
  primaryGroup(skel: string): string | undefined;
  /** See the module-level `recordGroups`. */
  recordGroups(skel: string): readonly string[];
}

const formOf = (name: string): string =>
  skeleton(
    name
      .trim()
      .toLowerCase()
      .replace(/[^a-z]/g, ''),
  );

/** Groups from `name1,has_nickname,name2` triplets (names compared by skeleton). */
export function nicknameGroups(triplets: Iterable<NicknameTriplet>): NicknameGroups {
  const memberSets = new Map<string, Set<string>>();
  const nickSets = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => {
    let s = m.get(k);
    if (s === undefined) {
      s = new Set();
      m.set(k, s);
    }
    s.add(v);
  };
  for (const [a, rel, b] of triplets) {
    if (rel !== 'has_nickname') continue;
    const formal = formOf(a);
    const nick = formOf(b);
    if (formal === '' || nick === '' || formal === nick) continue;
    add(memberSets, formal, formal);
    add(memberSets, nick, formal);
    add(nickSets, formal, nick);
  }
  const order = (name: string, s: Set<string>) => [...s].sort((x, y) => (x === name ? -1 : y === name ? 1 : x.localeCompare(y)));
  /** name → formal names whose group it belongs to (itself first when it is formal). */
  const member = new Map<string, readonly string[]>();
  for (const [name, s] of memberSets) member.set(name, order(name, s));
  /** formal name → its nicknames. */
  const nicks = new Map([...nickSets].map(([k, v]) => [k, [...v].sort()] as const));
  /** formal name → its nicknames that are formal names themselves (Alexander → Alex). */
  const formalNicks = new Map([...nickSets].map(([k, v]) => [k, [...v].filter((n) => memberSets.get(n)?.has(n) === true).sort()] as const));
  return {
    size: nickSets.size,
    primaryGroup: (skel) => member.get(skel)?.[0],
    recordGroups: (skel) => {
      const out = new Set([...(member.get(skel) ?? []), ...(formalNicks.get(skel) ?? [])]);
      // a nickname shared by several formal names is keyed by a query under only one of them
      for (const n of nicks.get(skel) ?? []) {
        const p = member.get(n)?.[0];
        if (p !== undefined) out.add(p);
      }
      return [...out].slice(0, MAX_GROUPS_PER_NAME);
    },
  };
}

let groups: NicknameGroups | undefined;

/** The dictionary's triplets: none while `NICKNAME_DATASET` is undefined. */
function load(): NicknameGroups {
  return nicknameGroups([]);
}

function get(): NicknameGroups {
  groups ??= load();
  return groups;
}

/** How many nickname groups the class has: 0 while no dataset package is installed. */
export function nicknameGroupCount(): number {
  return get().size;
}

/**
 * The one group a query's name is keyed under: its own when it is a formal name in the dataset,
 * else the first (alphabetically) formal name it is a nickname of. Undefined when not listed.
 */
export function primaryGroup(skel: string): string | undefined {
  return get().primaryGroup(skel);
}

/**
 * The groups a record's name is keyed under: every group it belongs to, the groups of its nicknames
 * that are formal names themselves, and the primary group of each of its nicknames, so that a
 * query's primary group meets it whichever is formal (William/Bill, Alexander/Alex, Bill/Billy) and
 * whichever formal name a shared nickname is filed under.
 */
export function recordGroups(skel: string): readonly string[] {
  return get().recordGroups(skel);
}

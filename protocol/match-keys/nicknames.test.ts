import { describe, expect, it } from 'vitest';
import { MAX_GROUPS_PER_NAME, NICKNAME_DATASET, type NicknameTriplet, nicknameGroupCount, nicknameGroups, primaryGroup, recordGroups } from './nicknames.ts';
import { skeleton } from './skeleton.ts';

const s = (name: string): string => skeleton(name.toLowerCase());

describe('the nickname dictionary', () => {
  // The class needs a dataset from a package the registry installs; none carries one (docs/records.md,
  // "Nicknames"), and fetched data is not committed. So the class is empty, and says so here.
  it('is empty: no dataset package, no group, no name keyed', () => {
    expect(NICKNAME_DATASET).toBeUndefined();
    expect(nicknameGroupCount()).toBe(0);
    for (const name of ['William', 'Bill', 'Elizabeth', 'Liz', 'Aleksandr', 'Sasha', 'Giuseppe', 'Beppe']) {
      expect(primaryGroup(s(name)), name).toBeUndefined();
      expect(recordGroups(s(name)), name).toEqual([]);
    }
  });
});

/** Triplets written for these tests (not a dataset): the grouping a dataset package would feed. */
const T = (formal: string, ...nicks: string[]): NicknameTriplet[] => nicks.map((n) => [formal, 'has_nickname', n] as const);
const groups = nicknameGroups([
  ...T('William', 'Bill', 'Billy', 'Will'),
  ...T('Elizabeth', 'Liz', 'Beth'),
  ...T('Alexander', 'Alex', 'Sasha'),
  ...T('Alexandra', 'Alex', 'Sasha'),
  ...T('Alex', 'Al'),
  ...T('Giuseppe', 'Beppe', 'Peppe'),
  ['Jim', 'is_translation_of:en-sp', 'Diego'],
  ['Ann', 'has_nickname', 'ann'],
]);

/** A query's given name and a record's share a group, as `derive.ts` keys them. */
const meets = (query: string, record: string): boolean => {
  const g = groups.primaryGroup(s(query));
  return g !== undefined && groups.recordGroups(s(record)).includes(g);
};

describe('nicknameGroups (the grouping a dataset is loaded through)', () => {
  it('meets a formal name and its nicknames whichever side has which', () => {
    expect(meets('Bill', 'William')).toBe(true);
    expect(meets('William', 'Bill')).toBe(true);
    expect(meets('Billy', 'Bill')).toBe(true);
    expect(meets('Beppe', 'Giuseppe')).toBe(true);
    expect(meets('Peppe', 'Beppe')).toBe(true);
  });

  it('meets nicknames of one formal name with each other', () => {
    expect(meets('Liz', 'Beth')).toBe(true);
    expect(meets('Beth', 'Elizabeth')).toBe(true);
  });

  it('meets a nickname that is itself a formal name (Alexander/Alex)', () => {
    expect(groups.primaryGroup(s('Alex'))).toBe(s('Alex'));
    expect(meets('Alex', 'Alexander')).toBe(true);
    expect(meets('Alexander', 'Alex')).toBe(true);
  });

  it('meets a nickname shared by several formal names whichever it is filed under', () => {
    expect(groups.primaryGroup(s('Sasha'))).toBe(s('Alexander'));
    expect(meets('Sasha', 'Alexandra')).toBe(true);
    expect(meets('Alexandra', 'Sasha')).toBe(true);
  });

  it('does not meet names of different groups', () => {
    expect(meets('Bill', 'Elizabeth')).toBe(false);
    expect(meets('Beppe', 'William')).toBe(false);
    expect(groups.primaryGroup(s('Smith'))).toBeUndefined();
    expect(groups.recordGroups(s('Smith'))).toEqual([]);
  });

  it('reads has_nickname only and skips a name listed as its own nickname', () => {
    expect(groups.primaryGroup(s('Diego'))).toBeUndefined();
    expect(groups.primaryGroup(s('Ann'))).toBeUndefined();
    expect(groups.size).toBe(6);
  });

  it('keys a record name under at most MAX_GROUPS_PER_NAME groups', () => {
    const many = nicknameGroups(
      Array.from({ length: MAX_GROUPS_PER_NAME + 5 }, (_, i) => [`Formal${String.fromCharCode(97 + i)}`, 'has_nickname', 'Al'] as const),
    );
    expect(many.recordGroups(s('Al'))).toHaveLength(MAX_GROUPS_PER_NAME);
  });
});

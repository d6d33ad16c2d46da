/**
 * Cross-script name symbols for scripts that do not write short vowels (Arabic, Hebrew): a name
 * listed in `data/` is keyed by one symbol whatever script or romanisation it is written in, so
 * محمد, Mohamed, Muhammad, Mohammed and Mehmet are one name, and Mahmoud, Hamid and Ahmad are
 * others. A phonetic code could not tell them apart (their consonants are the same once vowels and h
 * go), and no transliteration can restore the vowels Arabic script leaves out.
 *
 * Latin spellings of an Arabic name are generated from its romanisation in `data/arabic-names.ts` by
 * the conventions people write: short a as a or e, short i as i or e, short u as u, o or ou; long ā as
 * a or aa, ī as i or ee, ū as u, ou or oo; ay as ay, ai, ei or ey; ʿayn and hamza dropped (or hamza
 * as y between vowels); ḥ and h as h; kh as kh or h; q as q, k or g; j as j, dj or g (Egyptian);
 * sh as sh or ch (French); th as th, s or t; dh as dh, z or d; gh as gh or g; w as w, v or ou (French); a final
 * feminine a as a or ah; a final d as d or t (Turkish). Each spelling is reduced to its skeleton, and
 * the skeleton leads to the symbol (the skeleton of the name's first spelling).
 */
import { ARABIC_NAMES } from './data/arabic-names.ts';
import { HEBREW_NAMES } from './data/hebrew-names.ts';
import { skeleton } from './skeleton.ts';

const CONSONANT_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  kh: ['kh', 'h'],
  sh: ['sh', 'ch'],
  th: ['th', 's', 't'],
  dh: ['dh', 'z', 'd'],
  gh: ['gh', 'g'],
  q: ['q', 'k', 'g'],
  j: ['j', 'dj', 'g'],
  w: ['w', 'v', 'ou'],
  '3': [''],
  '2': [''],
};
const VOWEL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  a: ['a', 'e'],
  i: ['i', 'e'],
  u: ['u', 'o', 'ou'],
  aa: ['a', 'aa'],
  ii: ['i', 'ee'],
  uu: ['u', 'ou', 'oo'],
  ay: ['ay', 'ai', 'ei', 'ey'],
  aw: ['aw', 'ou', 'ow', 'au'],
};
const UNIT = /kh|sh|th|dh|gh|aa|ii|uu|a(?:y|w)(?![aiu])|[a-z23]/g;
const MAX_VARIANTS = 4096;

/** The Latin spellings the conventions above give for one romanised name. */
export function arabicSpellings(name: string): string[] {
  const units = name.match(UNIT) ?? [];
  let out: string[] = [''];
  units.forEach((u, i) => {
    const last = i === units.length - 1;
    let opts = VOWEL_OPTIONS[u] ?? CONSONANT_OPTIONS[u] ?? [u];
    if (u === '2' && i > 0 && i < units.length - 1) opts = ['', 'y'];
    if (last && u === 'a') opts = ['a', 'ah', 'e'];
    if (last && u === 'd') opts = ['d', 't'];
    if (last && u === 'ii') opts = ['i', 'y', 'ee'];
    const next: string[] = [];
    for (const p of out) for (const o of opts) if (next.length < MAX_VARIANTS) next.push(p + o);
    out = next;
  });
  return out;
}

interface Tables {
  /** Latin skeleton → symbol. */
  readonly latin: ReadonlyMap<string, string>;
  /** Arabic or Hebrew spelling (letters only) → the name's first Latin spelling. */
  readonly script: ReadonlyMap<string, string>;
}

let tables: Tables | undefined;

function build(): Tables {
  const latin = new Map<string, string>();
  const script = new Map<string, string>();
  const add = (spelling: string, symbol: string) => {
    const sk = skeleton(spelling);
    if (sk !== '' && !latin.has(sk)) latin.set(sk, symbol);
  };
  for (const [name, arabic, extra] of ARABIC_NAMES) {
    const spellings = arabicSpellings(name);
    const first = spellings[0]!;
    const symbol = skeleton(first);
    for (const s of spellings) add(s, symbol);
    for (const s of (extra ?? '').split(' ')) if (s !== '') add(s, symbol);
    for (const a of arabic.split(' ')) script.set(normalizeArabic(a), first);
  }
  for (const [hebrew, spellings] of HEBREW_NAMES) {
    const list = spellings.split(' ');
    const first = list[0]!;
    const symbol = skeleton(first);
    for (const s of list) add(s, symbol);
    script.set(hebrew, first);
  }
  return { latin, script };
}

function get(): Tables {
  tables ??= build();
  return tables;
}

/** Arabic letters only: marks and tatweel removed, every alif with hamza or madda as bare alif. */
export function normalizeArabic(word: string): string {
  return word.replace(/[\u0640\u064b-\u065f\u0670]/g, '').replace(/[أإآٱ]/g, 'ا');
}

/** The symbol of a token's skeleton, or the skeleton itself when the name is not listed. */
export function symbolOf(skel: string): string {
  return get().latin.get(skel) ?? skel;
}

/** Every listed name's symbol. */
export function listedSymbols(): ReadonlySet<string> {
  return new Set(get().latin.values());
}

/** True when the skeleton belongs to a listed name (its symbol stands for the name in phonetic keys). */
export function isListedName(skel: string): boolean {
  return get().latin.has(skel);
}

/** The first Latin spelling of an Arabic- or Hebrew-script word listed in `data/`, if any. */
export function listedSpelling(word: string): string | undefined {
  const t = get();
  return t.script.get(word) ?? t.script.get(normalizeArabic(word));
}

/**
 * The romanisation skeleton of a name token: one string that the spellings of the same letters in
 * the romanisation systems people actually use reduce to, while vowels and most consonants stay
 * apart (unlike a phonetic code).
 *
 * Why one skeleton and not one key per system: systems for the same language differ mostly in how
 * they spell one sound (ж: zh ICAO/BGN, ž scientific/Czech, sch/sch German; я: ia ICAO, ya BGN, ja
 * German/Serbian; -ий: -ii ICAO, -iy BGN, -ij German, -y common English), and a query is typed in
 * whatever system the analyst's source used. Folding those spellings costs little precision and one
 * key, where one key per system would multiply every record's keys by the number of systems. Where
 * languages give a letter different sounds (Russian г = g, Ukrainian г = h), the skeleton does not
 * fold them: the record gets one reading per candidate language instead (see `transliterate.ts`).
 *
 * Steps, in order, on a lower-case ASCII token:
 * 1. German umlaut spellings: ae → a, oe → o, ue → u (Müller = Mueller = Muller).
 * 2. Greek ELOT mp at the start of a word → b (Mpakogiannis = Bakoyannis; Greek script itself gets
 *    μπ ντ γκ → b d g at the start of a word in `transliterate.ts`).
 * 3. kh → h (first, so that q + h does not become kh); c before a, o, u or a consonant other than
 *    h, z, s → k (Constantinos = Konstantinos, Carl = Karl); q → k; x → ks; ck → k.
 * 4. Sibilants and affricates: shch, schtsch, sch, sh, sz, zh, ts, tz, z → s; tsch, tch, cz, ch → c;
 *    dzh, dj → j (ш ж ц з written any way; Đ = Dj = Dzh).
 * 5. ph → f; th → t; dh → d; gh → g; w → v.
 * 6. Vowels: ou, oo → u; ee → i; j and y → i; a word-initial ie, or ie after a vowel, → e
 *    (Yevgeniy = Evgenii, Sergeyev = Sergeev); io between consonants → e (ё: Fyodor = Fedor
 *    = Fjodor, Orljow = Orlev), except before ng (pinyin xiong, yong).
 * 7. Runs of one letter collapse (Hassan = Hasan, Iuliia = Yuliya = Julija = Yulia → iulia).
 */

const UMLAUT = /ae|oe|ue/g;
const UMLAUT_TO: Readonly<Record<string, string>> = { ae: 'a', oe: 'o', ue: 'u' };

const STEPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^mp/, 'b'],
  [/ck/g, 'k'],
  [/kh/g, 'h'],
  [/c(?=[aou]|[b-df-gj-np-rtv-xy])/g, 'k'],
  [/q/g, 'k'],
  [/x/g, 'ks'],
  [/dzh|dj/g, 'j'],
  [/shch|schtsch|chtch/g, 'sc'],
  [/tsch|tch|cz/g, 'c'],
  [/sch|sh|sz|zh|ts|tz|z/g, 's'],
  [/ch/g, 'c'],
  [/ph/g, 'f'],
  [/th/g, 't'],
  [/dh/g, 'd'],
  [/gh/g, 'g'],
  [/w/g, 'v'],
  [/ou|oo/g, 'u'],
  [/ee/g, 'i'],
  [/[jy]/g, 'i'],
  [/^ie/, 'e'],
  [/([aeiou])ie/g, '$1e'],
  [/([^aeiou])io(?=[^aeioun]|n(?!g))/g, '$1e'],
];

const CACHE_MAX = 200_000;
const cache = new Map<string, string>();

/** The skeleton of one lower-case ASCII token (the empty string stays empty). */
export function skeleton(token: string): string {
  const hit = cache.get(token);
  if (hit !== undefined) return hit;
  let t = token.replace(UMLAUT, (m) => UMLAUT_TO[m] ?? m);
  for (const [re, to] of STEPS) t = t.replace(re, to);
  let out = '';
  for (const c of t) if (c !== out[out.length - 1]) out += c;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(token, out);
  return out;
}

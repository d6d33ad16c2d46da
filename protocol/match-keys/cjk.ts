/**
 * Chinese and Korean names written in their own script.
 *
 * Both put the family name first and write it with one syllable (a few with two: 欧阳 Ouyang, 司马
 * Sima, 诸葛 Zhuge; 남궁 Namgung, 제갈 Jegal). A name held in one field, in characters, is split into
 * the family name and the given name, and the given name's syllables are written as one word, the way
 * pinyin (GB/T 28039-2011) and Korean passports write them: 王小明 → `wang xiaoming`, 김민준 →
 * `kim minjun`. A Latin query then meets it as "Wang Xiaoming", "Xiaoming Wang" or "WANG Xiao Ming"
 * (the full-name key ignores where a name is split, see `derive.ts`).
 *
 * Pinyin comes from any-ascii (toneless Hanyu Pinyin, one reading per character); family names whose
 * character has another reading as a surname get it here (曾 Zeng, 单 Shan, 解 Xie, 朴 Piao…).
 * Hangul comes out in Revised Romanization, except family names, which get the spelling Korean
 * passports overwhelmingly use (김 Kim, 이 Lee, 박 Park, 최 Choi, 정 Jung…).
 */
import anyAscii from 'any-ascii';

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const HANGUL = /[\uac00-\ud7a3]/;
export const EAST_ASIAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3]/;

const HAN_COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳',
  '歐陽',
  '司马',
  '司馬',
  '诸葛',
  '諸葛',
  '上官',
  '东方',
  '東方',
  '皇甫',
  '令狐',
  '慕容',
  '尉迟',
  '尉遲',
  '夏侯',
  '轩辕',
  '軒轅',
  '公孙',
  '公孫',
  '长孙',
  '長孫',
  '宇文',
  '司徒',
  '端木',
  '申屠',
  '澹台',
  '万俟',
  '闻人',
  '聞人',
]);

const HAN_SURNAME_READINGS: Readonly<Record<string, string>> = {
  曾: 'zeng',
  单: 'shan',
  單: 'shan',
  解: 'xie',
  仇: 'qiu',
  朴: 'piao',
  区: 'ou',
  區: 'ou',
  查: 'zha',
  盖: 'ge',
  蓋: 'ge',
  乐: 'yue',
  樂: 'yue',
  缪: 'miao',
  繆: 'miao',
  翟: 'zhai',
  覃: 'qin',
  尉: 'yu',
  秘: 'bi',
  种: 'chong',
  员: 'yun',
  員: 'yun',
  召: 'shao',
  折: 'she',
  长孙: 'zhangsun',
  長孫: 'zhangsun',
  万俟: 'moqi',
};

const HANGUL_COMPOUND_SURNAMES: ReadonlySet<string> = new Set(['남궁', '황보', '제갈', '선우', '독고', '사공', '서문']);

const HANGUL_SURNAMES: Readonly<Record<string, string>> = {
  김: 'kim',
  이: 'lee',
  리: 'lee',
  박: 'park',
  최: 'choi',
  정: 'jung',
  강: 'kang',
  조: 'cho',
  윤: 'yoon',
  장: 'jang',
  임: 'lim',
  림: 'lim',
  한: 'han',
  오: 'oh',
  서: 'seo',
  신: 'shin',
  권: 'kwon',
  황: 'hwang',
  안: 'ahn',
  송: 'song',
  류: 'ryu',
  유: 'yoo',
  홍: 'hong',
  전: 'jeon',
  고: 'ko',
  문: 'moon',
  양: 'yang',
  손: 'son',
  배: 'bae',
  백: 'baek',
  허: 'heo',
  남: 'nam',
  심: 'shim',
  노: 'noh',
  하: 'ha',
  곽: 'kwak',
  성: 'sung',
  차: 'cha',
  주: 'joo',
  우: 'woo',
  구: 'koo',
  민: 'min',
  나: 'na',
  진: 'jin',
  지: 'ji',
  엄: 'eom',
  채: 'chae',
  원: 'won',
  천: 'cheon',
  방: 'bang',
  공: 'kong',
  현: 'hyun',
  함: 'ham',
  변: 'byun',
  염: 'yeom',
  여: 'yeo',
  추: 'choo',
  도: 'do',
  석: 'seok',
  선: 'sun',
  설: 'seol',
  마: 'ma',
  길: 'gil',
  연: 'yeon',
  표: 'pyo',
  명: 'myung',
  기: 'ki',
  반: 'ban',
  왕: 'wang',
  금: 'keum',
  옥: 'ok',
  육: 'yuk',
  인: 'in',
  맹: 'maeng',
  제: 'je',
  모: 'mo',
  탁: 'tak',
  국: 'kook',
  은: 'eun',
  용: 'yong',
  남궁: 'namgung',
  황보: 'hwangbo',
  제갈: 'jegal',
  선우: 'sunwoo',
  독고: 'dokgo',
  사공: 'sagong',
  서문: 'seomun',
};

/** The syllables of a run of Han or Hangul characters, lower case. */
function syllables(run: string): string[] {
  return [...run].map((c) => anyAscii(c).toLowerCase());
}

function family(chars: string, korean: boolean): { fam: string; rest: string } {
  const two = chars.slice(0, 2);
  const compound = korean ? HANGUL_COMPOUND_SURNAMES.has(two) : HAN_COMPOUND_SURNAMES.has(two);
  const f = compound && chars.length > 2 ? two : chars.slice(0, 1);
  const known = korean ? HANGUL_SURNAMES[f] : HAN_SURNAME_READINGS[f];
  return { fam: known ?? syllables(f).join(''), rest: chars.slice(f.length) };
}

/**
 * Rewrite every run of Han or Hangul characters as Latin words. `splitFamily` says whether the first
 * run of the field starts with the family name (a whole name in one field, or a family-name field);
 * a given-name field is written as one word.
 */
export function romaniseEastAsian(s: string, splitFamily: boolean): string {
  let first = true;
  return s.replace(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3]+/g, (run) => {
    const korean = HANGUL.test(run) && !HAN.test(run);
    const isFirst = first;
    first = false;
    if (!isFirst || !splitFamily) return ` ${syllables(run).join('')} `;
    const { fam, rest } = family(run, korean);
    return rest === '' ? ` ${fam} ` : ` ${fam} ${syllables(rest).join('')} `;
  });
}

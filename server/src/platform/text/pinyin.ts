import { createRequire } from 'node:module';

// Loaded on first use (its dictionary costs ~60 ms at every start, and reads never need it).
let pinyinModule: typeof import('pinyin-pro') | undefined;
const pinyinPro = () => {
  pinyinModule ??= createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro');
  return pinyinModule.pinyin;
};

/**
 * Sort and search keys for names that may be Chinese: 华为 Huawei Cloud → "huaweihuaweicloud" /
 * "hwhc". Chinese users expect names ordered by pinyin (阿里巴巴, 百度, 重庆银行, 华为, 中兴) and
 * find them by typing pinyin or its initials, which code-point order and ILIKE cannot give.
 */
export interface NameKeys {
  /** Toneless pinyin of Han characters and lowercased letters/digits of the rest, no separators. */
  pinyin: string;
  /** First letter of each Han syllable and of each other word. */
  initials: string;
}

export interface NameKeyOptions {
  /**
   * Person names: the first character is read as a surname (单 shan, 曾 zeng, 解 xie, 仇 qiu).
   * Off for companies, where it would misread words (银行 is yinhang, not yinxing).
   */
  personName?: boolean;
}

/** Splitting on it puts runs of Han characters at the odd indexes. */
const HAN_RUNS = /(\p{Script=Han}+)/u;
const WORD = /[\p{L}\p{N}]+/gu;
const ASCII_WORD = /[a-z0-9]+/g;
/** Anything but printable ASCII and white space (plain ASCII takes the fast path). */
const NON_ASCII = /[^ -~\s]/;
const NON_ASCII_CHARS = /[^ -~\s]/g;
const COMBINING_MARK = /\p{M}/u;
const COMBINING_MARKS = /\p{M}/gu;
const U_DIAERESIS = /u\u0308/g;

const plainLetters = new Map<string, string>();
/** à → a, é → e, ǚ → v (as typed for ü); letters without marks (Hangul, kana) stay as they are. */
function plainLetter(char: string): string {
  let plain = plainLetters.get(char);
  if (plain === undefined) {
    const decomposed = char.normalize('NFD');
    plain = COMBINING_MARK.test(decomposed)
      ? decomposed.replace(U_DIAERESIS, 'v').replace(COMBINING_MARKS, '')
      : char;
    // Memoised: normalising every string took about as long as pinyin-pro's conversion itself.
    if (plainLetters.size < 10_000) plainLetters.set(char, plain);
  }
  return plain;
}

/** Removes accents and tone marks: Société → Societe, hàn → han, lǜ → lv. */
function withoutMarks(text: string): string {
  return text.replace(NON_ASCII_CHARS, plainLetter);
}

const plainSyllables = new Map<string, string>();
/** zhōng → zhong, lǜ → lv; memoised, as there are only about 1,500 toned syllables. */
function plainSyllable(syllable: string): string {
  let plain = plainSyllables.get(syllable);
  if (plain === undefined) {
    plain = withoutMarks(syllable).toLowerCase();
    if (plainSyllables.size < 10_000) plainSyllables.set(syllable, plain);
  }
  return plain;
}

/** Sort and search keys of a name, in one pass (imports derive them for 100k rows). */
export function nameKeys(name: string, options: NameKeyOptions = {}): NameKeys {
  // NFKC first: full-width ＡＢＣ１２３ and compatibility ideographs become their plain forms.
  const text = name.normalize('NFKC');
  let sortKey = '';
  let initials = '';
  const parts = text.split(HAN_RUNS);
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1) {
      // Toned pinyin with our own mark removal: pinyin-pro's toneless mode is twice as slow.
      // Whole runs, not characters, so its word segmentation picks readings (重庆 chong, 银行 hang).
      const syllables = pinyinPro()(parts[i], {
        type: 'array',
        toneSandhi: false,
        surname: options.personName && i === 1 ? 'head' : 'off',
      });
      for (const syllable of syllables) {
        const plain = plainSyllable(syllable);
        sortKey += plain;
        initials += plain[0] ?? '';
      }
    } else if (parts[i]) {
      const hasOther = NON_ASCII.test(parts[i]);
      const plain = (hasOther ? withoutMarks(parts[i]) : parts[i]).toLowerCase();
      for (const word of plain.match(hasOther ? WORD : ASCII_WORD) ?? []) {
        sortKey += word;
        initials += word[0];
      }
    }
  }
  return { pinyin: sortKey, initials };
}

/** Lowercase toneless pinyin for sorting: 重庆银行 → chongqingyinhang, Zebra Ltd → zebraltd. */
export function nameSortKey(name: string, options?: NameKeyOptions): string {
  return nameKeys(name, options).pinyin;
}

/** First letters: 华为技术 → hwjs, 华为 Huawei Cloud → hwhc. */
export function nameInitials(name: string, options?: NameKeyOptions): string {
  return nameKeys(name, options).initials;
}

/**
 * The pinyin form of a search text when it could be pinyin (Latin letters, digits, spaces,
 * apostrophes as in xi'an), else undefined: "Hua Wei" → "huawei".
 */
export function pinyinSearchKey(q: string): string | undefined {
  const text = q.normalize('NFKC');
  if (!/^[a-z0-9\s'’-]*[a-z][a-z0-9\s'’-]*$/i.test(text)) return undefined;
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

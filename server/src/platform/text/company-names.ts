import { COUNTY_LEVEL, NATIONAL_PREFIXES, PREFECTURES_BY_PROVINCE, PROVINCES } from './cn-admin-divisions.js';
import { nameSortKey } from './pinyin.js';

/**
 * Company names as people write them (SPEC ): the parts of a registered name that the
 * resolver compares. A Chinese registered name is region + brand + industry + organisation form
 * (深圳市 · 华强 · 电子科技 · 股份有限公司); the market's short name (简称) is usually the brand, the
 * brand with its region or first industry word, sometimes with a letter or 股份 (万科A, 华强股份).
 * English names have the same shape (Shenzhen · Globex · Electronics Technology · Co., Ltd.).
 *
 *   exact  NFKC, case-folded, spaces/punctuation/brackets removed, everything else kept
 *   key    the long-standing normalised key (normalizeCompanyName): bracketed qualifiers and the
 *          organisation form removed
 *   rest   the key without its leading administrative divisions (and a short name's letter/股份)
 *   core   the rest without trailing industry words: the brand
 *   group  true when the name names a group (集团, Group), false when it has another explicit form
 *          (有限公司, 股份, Co., Ltd. …), null for a bare name: a group and its listed subsidiary are
 *          different entities
 *
 * Everything here is plain string work over Sets (a few dozen lookups per name): the resolver runs
 * it once per account name/alias when a directory is built and once per signal that names a company.
 */

/** Legal-form suffixes the normalised key drops (kept as they were: stored keys depend on them). */
const SUFFIXES = [
  '股份有限公司',
  '有限责任公司',
  '集团有限公司',
  '集团股份有限公司',
  '有限公司',
  '集团公司',
  '集团',
  '公司',
  'corporation',
  'incorporated',
  'company',
  'limited',
  'colimited',
  'coltd',
  'ltd',
  'llc',
  'gmbh',
  'group',
  'corp',
  'inc',
  'plc',
  'co',
  'sa',
  'ag',
];
/** Suffixes that are not a company form by themselves (a short name may end with them). */
const NOT_A_FORM = new Set(['集团', 'group']);

const BRACKETED = /[([][^)\]]*[)\]]/g;
const PUNCT = /[\s.,，。·、'"“”‘’&\-_/\\:;!?*]+/g;
const BRACKETS = /[()[\]【】<>《》]/g;
const HAN = /\p{Script=Han}/u;
const ALL_HAN = /^\p{Script=Han}+$/u;

/**
 * The normalised key: NFKC (full-width → half-width), case-folded, bracketed qualifiers such as
 * （中国） removed, punctuation and spaces removed, legal-form suffixes (有限公司, 股份有限公司,
 * 集团, Co., Ltd., Inc., …) stripped.
 */
export function normalizeCompanyName(raw: string): string {
  return stripForm(baseText(raw)).key;
}

function baseText(raw: string): string {
  return raw.normalize('NFKC').toLowerCase().trim().replace(BRACKETED, ' ').replace(PUNCT, '');
}

function stripForm(s: string): { key: string; form: boolean } {
  let form = false;
  let changed = true;
  while (changed) {
    changed = false;
    for (const suffix of SUFFIXES) {
      if (s.length > suffix.length && s.endsWith(suffix)) {
        s = s.slice(0, -suffix.length);
        if (!NOT_A_FORM.has(suffix)) form = true;
        changed = true;
      }
    }
  }
  return { key: s, form };
}

// ---------- administrative divisions ----------

const ETHNIC_SUFFIX =
  /(?:(?:蒙古|回|藏|维吾尔|壮|朝鲜|彝|苗|侗|土家|布依|白|哈尼|傣|景颇|傈僳|哈萨克|柯尔克孜|羌)族?)*(?:自治区|自治州|特别行政区|地区|省|市|盟)$/u;
const COUNTY_SUFFIX = /(?:新区|林区|区|县|市|旗)$/u;

interface Divisions {
  /** Every written form (full and short) → its canonical short name. */
  forms: Map<string, string>;
  /** Canonical short name of a prefecture → its province's short name. */
  parent: Map<string, string>;
  /** Canonical names that are provinces or prefectures (regions that can conflict). */
  major: Set<string>;
  longest: number;
  /** Pinyin of province and prefecture short names (Shenzhen …), for English names. */
  latin?: Set<string>;
}

let divisionsCache: Divisions | undefined;
function divisions(): Divisions {
  if (divisionsCache) return divisionsCache;
  const forms = new Map<string, string>();
  const parent = new Map<string, string>();
  const major = new Set<string>();
  const add = (full: string, short: string) => {
    forms.set(full, short);
    if (short.length >= 2 && !forms.has(short)) forms.set(short, short);
  };
  const shortOf = (full: string) => {
    const s = full.replace(ETHNIC_SUFFIX, '');
    return s.length >= 2 ? s : full;
  };
  for (const p of PROVINCES) {
    const s = shortOf(p);
    add(p, s);
    major.add(s);
  }
  for (const [province, list] of Object.entries(PREFECTURES_BY_PROVINCE)) {
    for (const c of list.split(' ')) {
      const s = shortOf(c);
      add(c, s);
      major.add(s);
      if (!parent.has(s)) parent.set(s, shortOf(province));
    }
  }
  // Counties only in their full form (their bare names are often words: 东方, 和平, 长安).
  for (const c of COUNTY_LEVEL.trim().split(/\s+/)) {
    if (!forms.has(c)) forms.set(c, c.replace(COUNTY_SUFFIX, '') || c);
  }
  for (const n of NATIONAL_PREFIXES) forms.set(n, n);
  let longest = 0;
  for (const f of forms.keys()) longest = Math.max(longest, f.length);
  divisionsCache = { forms, parent, major, longest };
  return divisionsCache;
}

/** Lower-case pinyin of province and prefecture names (and a few English exonyms). */
function latinRegions(): Set<string> {
  const d = divisions();
  if (d.latin) return d.latin;
  const latin = new Set(['china', 'hongkong', 'macau', 'macao', 'canton', 'peking', 'tientsin', 'prc']);
  for (const m of d.major) latin.add(nameSortKey(m));
  d.latin = latin;
  return latin;
}

/** Leading divisions of a Chinese key: 广东省深圳市南山区华强 → [广东, 深圳, 南山] + 华强. */
function stripDivisions(s: string): { regions: string[]; rest: string } {
  const { forms, longest } = divisions();
  const regions: string[] = [];
  let rest = s;
  for (let round = 0; round < 4; round++) {
    let found = 0;
    for (let len = Math.min(longest, rest.length - 2); len >= 2; len--) {
      const canonical = forms.get(rest.slice(0, len));
      if (canonical !== undefined) {
        regions.push(canonical);
        found = len;
        break;
      }
    }
    if (!found) break;
    rest = rest.slice(found);
  }
  return { regions, rest };
}

// ---------- industry words ----------

/** Industry and business words that follow the brand (and 股份/控股, which short names keep). */
const CN_INDUSTRY =
  `科技 技术 新能源 能源 医疗器械 医疗 器械 电子 信息 网络 软件 生物 医药 制药 药业 智能 新材料 材料
实业 贸易 商贸 工贸 电器 电气 电力 电机 电池 储能 光伏 光电 光学 半导体 微电子 集成电路 芯片 通信 通讯 数据 数字 数码
互联网 物联网 人工智能 机器人 自动化 精密 制造 机械 设备 装备 仪器 仪表 传感 激光 照明 显示 检测 测控 汽车 汽车零部件 零部件
化工 化学 环保 环境 节能 水务 燃气 石化 石油 钢铁 有色 矿业 金属 建材 建设 建筑 工程 基建 地产 房地产 置业 物业 投资 资本
金融 银行 保险 证券 基金 信托 控股 股份 企业 发展 产业 工业 国际 服务 管理 咨询 系统 集成 食品 饮料 酒业 乳业 农业 牧业 渔业 林业
纺织 服饰 服装 鞋业 家居 家具 家电 文化 传媒 影视 教育 健康 生命 养老 物流 供应链 运输 航运 航空 航天 港口 旅游 酒店 餐饮
电商 商业 百货 超市 连锁 包装 印刷 塑料 塑胶 橡胶 玻璃 陶瓷 五金 模具 轴承 阀门 泵业 纸业 造纸 新能源汽车 动力 热能 海洋`
    .split(/\s+/)
    .filter(Boolean);
const CN_INDUSTRY_SET = new Set(CN_INDUSTRY);
const CN_INDUSTRY_LONGEST = Math.max(...CN_INDUSTRY.map((w) => w.length));

const EN_FORMS = new Set([
  'co',
  'ltd',
  'limited',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'company',
  'llc',
  'plc',
  'gmbh',
  'sa',
  'ag',
  'lp',
  'llp',
]);
const EN_NOT_FORMS = new Set(['group', 'holdings', 'holding']);
const EN_INDUSTRY = new Set(
  `technology technologies tech science sciences electronics electronic electric electrical software network networks
information info data digital intelligent intelligence smart ai robotics automation semiconductor semiconductors
microelectronics optoelectronics photonics energy power solar battery batteries storage pharmaceutical pharmaceuticals pharma
biotech biotechnology bio biological medical medicine healthcare health devices device instruments equipment machinery
industrial industries industry manufacturing materials material chemical chemicals new trading trade international intl
global systems system solutions services service logistics supply chain foods food beverage textile textiles apparel
automotive auto motors motor engineering construction development investment investments capital finance financial
bank insurance securities real estate property properties media culture education communication communications telecom
environmental environment`.split(/\s+/),
);

/** Trailing industry words off a Chinese rest, keeping at least two characters of brand. */
function stripCnIndustry(s: string): { core: string; words: string[] } {
  const words: string[] = [];
  let core = s;
  for (;;) {
    let found = 0;
    for (let len = Math.min(CN_INDUSTRY_LONGEST, core.length - 2); len >= 1; len--) {
      if (CN_INDUSTRY_SET.has(core.slice(-len))) {
        found = len;
        break;
      }
    }
    if (!found) break;
    words.unshift(core.slice(-found));
    core = core.slice(0, -found);
  }
  return { core, words };
}

/** True when the text is nothing but industry words (银行, 科技发展): no brand to match on. */
function onlyIndustry(s: string): boolean {
  if (!s) return true;
  if (CN_INDUSTRY_SET.has(s)) return true;
  for (let len = Math.min(CN_INDUSTRY_LONGEST, s.length - 1); len >= 1; len--)
    if (CN_INDUSTRY_SET.has(s.slice(-len)) && onlyIndustry(s.slice(0, -len))) return true;
  return false;
}

// ---------- analysis ----------

export interface NameAnalysis {
  /** Everything kept but case, width, spaces, punctuation and brackets. */
  exact: string;
  /** The normalised key (normalizeCompanyName). */
  key: string;
  /** Without leading administrative divisions; null when nothing but divisions/industry words is left. */
  rest: string | null;
  /** The brand: rest without industry words; null when too short or generic to match on alone. */
  core: string | null;
  /** Canonical leading divisions, outermost first (广东, 深圳, 南山). */
  regions: string[];
  /** Industry words after the brand (科技, 电子 …). */
  industry: string[];
  /** Names a group (集团/Group): true; another explicit form: false; a bare name: null. */
  group: boolean | null;
  /** Has a legal form (有限公司, Co., Ltd. …): a full name rather than a short one. */
  form: boolean;
  /** Chinese script (else Latin words). */
  han: boolean;
}

const SHORT_NAME_TAIL = /(?<=\p{Script=Han})(?:[ab]|股份)$/u;
const ST_HEAD = /^\*?st(?=\p{Script=Han})/u;

export function analyzeCompanyName(raw: string): NameAnalysis {
  const nfkc = raw.normalize('NFKC').toLowerCase().trim();
  const exact = nfkc.replace(PUNCT, '').replace(BRACKETS, '');
  const base = baseText(raw);
  const { key, form } = stripForm(base);
  const han = HAN.test(key);
  const named = /集团/u.test(nfkc) || /\bgroup\b/u.test(nfkc);
  return han ? analyzeHan(exact, key, form, named) : analyzeLatin(exact, key, form, named, nfkc);
}

function analyzeHan(exact: string, key: string, form: boolean, named: boolean): NameAnalysis {
  // 股份 without a legal form (华强股份) is a listed company's short name: it may be XX集团股份有限公司.
  const group = named ? true : form ? false : null;
  let { regions, rest } = stripDivisions(key.replace(ST_HEAD, ''));
  if (!form) rest = rest.replace(SHORT_NAME_TAIL, '');
  if (rest.length < 2 || onlyIndustry(rest)) {
    return { exact, key, rest: null, core: null, regions, industry: [], group, form, han: true };
  }
  const { core, words } = stripCnIndustry(rest);
  const usable = core.length >= 2 && !onlyIndustry(core);
  return { exact, key, rest, core: usable ? core : null, regions, industry: words, group, form, han: true };
}

function analyzeLatin(exact: string, key: string, form: boolean, named: boolean, nfkc: string): NameAnalysis {
  const group = named ? true : form ? false : null;
  const words = nfkc.replace(BRACKETED, ' ').match(/[\p{L}\p{N}]+/gu) ?? [];
  const last = () => words[words.length - 1] ?? '';
  while (words.length > 1 && (EN_FORMS.has(last()) || EN_NOT_FORMS.has(last()))) words.pop();
  const regions: string[] = [];
  const latin = latinRegions();
  while (words.length > 1 && latin.has(words[0] ?? '')) regions.push(words.shift() as string);
  const rest = words.join('');
  const industry: string[] = [];
  while (words.length > 1 && EN_INDUSTRY.has(last())) industry.unshift(words.pop() as string);
  const core = words.join('');
  const generic = words.every((w) => EN_INDUSTRY.has(w));
  return {
    exact,
    key,
    rest: rest.length >= 3 && !generic ? rest : null,
    core: core.length >= 3 && !generic ? core : null,
    regions,
    industry,
    group,
    form,
    han: false,
  };
}

/**
 * Whether two names' regions contradict each other (北京 vs 深圳): only provinces and prefectures
 * count (a district alone is not compared), and a prefecture agrees with its province.
 */
export function regionsConflict(a: string[], b: string[]): boolean {
  const ea = expandRegions(a);
  const eb = expandRegions(b);
  if (!ea.size || !eb.size) return false;
  return !(isSubset(ea, eb) || isSubset(eb, ea));
}

function expandRegions(regions: string[]): Set<string> {
  const { major, parent } = divisions();
  const out = new Set<string>();
  for (const r of regions) {
    if (NATIONAL_PREFIXES.includes(r)) continue;
    if (major.has(r)) {
      out.add(r);
      const p = parent.get(r);
      if (p) out.add(p);
    } else if (/^[a-z]+$/.test(r) && !['china', 'prc'].includes(r)) out.add(r);
  }
  return out;
}

function isSubset(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** True when a group flag contradicts another (集团 vs 股份有限公司): different entities. */
export function groupsConflict(a: boolean | null, b: boolean | null): boolean {
  return a !== null && b !== null && a !== b;
}

/** Toneless pinyin of a Chinese brand (华强 → huaqiang), to meet the same company's English name. */
export function pinyinOf(core: string): string | null {
  return ALL_HAN.test(core) ? nameSortKey(core) : null;
}

/**
 * A suggested short name (简称) from a registered name: the brand when it has three characters or
 * more, else the brand with its first industry word (格力电器) or with its city (宁德时代).
 */
export function suggestShortName(raw: string): string | null {
  const a = analyzeCompanyName(raw);
  if (!a.han) return a.core ?? a.rest;
  const core = a.core ?? a.rest;
  if (!core) return null;
  if (core.length >= 3) return core;
  if (a.industry[0]) return core + a.industry[0];
  const city = [...a.regions].reverse().find((r) => divisions().major.has(r));
  return city ? city + core : core;
}

import type { ApiResponse } from './api-types';

/** Suggests which record field an import column maps to, by header name (Chinese and English). */
const SYNONYMS: Record<string, string[]> = {
  name: [
    'name',
    '名称',
    '姓名',
    '公司',
    '公司名称',
    '客户名称',
    '客户',
    'company',
    'account name',
    'contact name',
    '商机名称',
    'opportunity',
    'full name',
  ],
  name_en: ['english name', '英文名', '英文姓名', 'name en'],
  credit_code: [
    'credit code',
    'unified social credit code',
    'uscc',
    '统一社会信用代码',
    '信用代码',
    '社会信用代码',
  ],
  industry: ['industry', '行业', '所属行业'],
  domains: ['domain', 'domains', '域名', '网站域名'],
  website: ['website', 'url', '网站', '官网', '网址'],
  phone: ['phone', 'tel', 'telephone', '电话', '座机', '联系电话'],
  phones: ['phone', 'phones', 'mobile', 'tel', '电话', '手机', '手机号', '联系电话'],
  emails: ['email', 'e-mail', 'emails', 'mail', '邮箱', '电子邮件', '邮件'],
  address: ['address', '地址', '公司地址'],
  employees: ['employees', 'headcount', '员工数', '员工人数', '人数'],
  size: ['size', '规模', '企业规模'],
  tags: ['tags', 'tag', '标签'],
  description: ['description', 'notes', '描述', '备注', '说明'],
  title: ['title', 'job title', 'position', '职位', '职务', '头衔'],
  department: ['department', 'dept', '部门'],
  committee_role: ['committee role', 'buying role', 'role', '角色', '采购角色', '决策角色'],
  account: ['account', 'company', '公司', '客户', '所属客户', '客户名称', 'account name'],
  account_id: ['account id', '客户id'],
  amount: ['amount', 'value', 'deal size', '金额', '商机金额', '预计金额'],
  currency: ['currency', '币种', '货币'],
  stage: ['stage', '阶段', '销售阶段'],
  expected_close_date: [
    'expected close date',
    'close date',
    'close',
    '预计成交日期',
    '预计签约日期',
    '成交日期',
    '结单日期',
  ],
  probability: ['probability', '赢率', '概率', '成交概率'],
  owner_email: ['owner', 'owner email', '负责人', '负责人邮箱', '销售'],
  type: ['type', '类型'],
  subject: ['subject', '主题', '标题'],
  occurred_at: ['date', 'time', 'occurred at', '时间', '日期', '发生时间'],
};

export function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[_\-.:：()（）*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Returns {header: field} for every header that can be matched to one of `fields` (each field used once). */
export function suggestMapping(
  headers: readonly string[],
  fields: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  const used = new Set<string>();
  const candidates = (h: string): string[] => {
    const n = normaliseHeader(h);
    const exact = fields.filter((f) => normaliseHeader(f) === n || f === h);
    const syn = fields.filter((f) => (SYNONYMS[f] ?? []).some((s) => normaliseHeader(s) === n));
    const custom = fields.filter((f) => f.startsWith('custom.') && normaliseHeader(f.slice(7)) === n);
    const partial = fields.filter((f) =>
      (SYNONYMS[f] ?? []).some(
        (s) => n.length > 1 && normaliseHeader(s).length > 1 && n.includes(normaliseHeader(s)),
      ),
    );
    return [...exact, ...custom, ...syn, ...partial];
  };
  // Exact matches first so they win over partial ones.
  for (const pass of [0, 1]) {
    for (const h of headers) {
      if (out[h]) continue;
      const list = candidates(h);
      const pick =
        pass === 0
          ? list.find((f) => normaliseHeader(f) === normaliseHeader(h) && !used.has(f))
          : list.find((f) => !used.has(f));
      if (pick) {
        out[h] = pick;
        used.add(pick);
      }
    }
  }
  return out;
}

export type ImportJob = ApiResponse<'/imports/jobs/{id}'>;
/** What an import (or its dry run) did. */
export type ImportResult = NonNullable<ImportJob['result']>;
export type ImportPreview = ApiResponse<'/imports/preview', 'post'>;

/** Overall percentage: checking the rows is the first fifth of the work, writing them the rest. */
export function importPercent(job: Pick<ImportJob, 'phase' | 'processed' | 'total'>): number {
  const share = job.total > 0 ? Math.min(1, job.processed / job.total) : 0;
  if (job.phase === 'validating') return 20 * share;
  if (job.phase === 'writing') return 20 + 80 * share;
  return job.phase === 'done' ? 100 : 0;
}

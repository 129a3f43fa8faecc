import { and, eq } from 'drizzle-orm';
import { cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import type {
  DataSubject,
  ErasureOutcome,
  LocalText,
  PersonalDataProvider,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { redactColumns, subjectNeedles } from '../../platform/privacy/personal-data-scrub.js';
import { contactScores, quotas } from './predict.schema.js';

/**
 * Predictions about a person (issue 13 items 2 and 5): their lead score with the model version and
 * top factors. Quotas are targets of staff (users), never of a customer's contact; only a note that
 * names the person is redacted. Training snapshots hold feature values without identifiers; the
 * next retrain no longer sees the erased contact.
 */

/** The lead model's inputs in the person's words (the staff app's names for the same features). */
const FEATURE_WORDS: Record<string, LocalText> = {
  committee_role: { en: 'Buying-committee role', zh: '决策链角色' },
  seniority: { en: 'Seniority (from title)', zh: '职级（由职位推断）' },
  title: { en: 'Title', zh: '职务' },
  department: { en: 'Department', zh: '部门' },
  influence: { en: 'Influence (1–5)', zh: '影响力（1–5）' },
  stance: { en: 'Stance', zh: '态度' },
  email_domain_match: { en: 'E-mail domain matches the company', zh: '邮箱域名与客户一致' },
  has_email: { en: 'Has e-mail', zh: '有邮箱' },
  has_phone: { en: 'Has phone', zh: '有电话' },
  source: { en: 'Source / channel', zh: '来源 / 渠道' },
  industry: { en: 'Industry', zh: '行业' },
  account_size: { en: 'Company size', zh: '客户规模' },
  log_employees: { en: 'Employees (log)', zh: '员工数（对数）' },
  region: { en: 'Region', zh: '区域' },
  account_age_days: { en: 'Company on file (days)', zh: '客户建档天数' },
  acct_open_opps: { en: 'Open opportunities with the company', zh: '客户进行中商机数' },
  acct_won_before: { en: 'Earlier orders from the company', zh: '客户此前赢单数' },
  act_calls: { en: 'Calls, last 30 days', zh: '近 30 天电话' },
  act_meetings: { en: 'Meetings / visits, last 30 days', zh: '近 30 天会议 / 拜访' },
  act_emails: { en: 'E-mails logged, last 30 days', zh: '近 30 天邮件记录' },
  act_other: { en: 'Other activities, last 30 days', zh: '近 30 天其他活动' },
  sig_web_visits: { en: 'Website visits, last 30 days', zh: '近 30 天官网访问' },
  sig_pricing_views: { en: 'Pricing page views, last 30 days', zh: '近 30 天价格页浏览' },
  sig_intent_other: { en: 'Other high-intent page views, last 30 days', zh: '近 30 天其他高意向页面浏览' },
  sig_email_replies: { en: 'E-mail replies, last 30 days', zh: '近 30 天邮件回复' },
  sig_other: { en: 'Other signals about you, last 30 days', zh: '近 30 天与您相关的其他信号' },
  acct_signals: { en: 'Company signals, last 30 days', zh: '近 30 天客户信号' },
  acct_pricing_views: { en: 'Company pricing views, last 30 days', zh: '近 30 天客户价格页浏览' },
};

/** Each top factor as one line in both languages: "近 30 天会议 / 拜访：1（+0.60）". */
function factorWords(factors: unknown): LocalText[] {
  if (!Array.isArray(factors)) return [];
  return factors.flatMap((f) => {
    if (typeof f !== 'object' || f === null || !('feature' in f)) return [];
    const feature = String(f.feature);
    const words = FEATURE_WORDS[feature] ?? { en: feature, zh: feature };
    const value = 'value' in f && f.value !== null && f.value !== undefined ? String(f.value) : '—';
    const c = 'contribution' in f && typeof f.contribution === 'number' ? f.contribution : null;
    const sign = c === null ? '' : ` (${c >= 0 ? '+' : ''}${c.toFixed(2)})`;
    return [
      {
        en: `${words.en}: ${value}${sign}`,
        zh: `${words.zh}：${value}${sign.replace(' (', '（').replace(')', '）')}`,
      },
    ];
  });
}

async function collect(tx: Tx, s: DataSubject): Promise<PersonalDataSection[]> {
  const rows = await tx
    .select()
    .from(contactScores)
    .where(and(eq(contactScores.tenant_id, s.tenantId), eq(contactScores.contact_id, s.contactId)));
  return [
    {
      kind: 'predictions',
      label: { en: 'Scores computed about you', zh: '对您的评分' },
      total: rows.length,
      records: rows.map((r) => {
        const lineage = [
          {
            method: r.method === 'model' ? 'model' : 'rule',
            source: 'predict',
            at: r.computed_at.toISOString(),
            detail:
              r.method === 'model'
                ? {
                    en: `lead-score model v${r.model_version ?? '?'}`,
                    zh: `线索评分模型 v${r.model_version ?? '?'}`,
                  }
                : { en: 'lead-score rules', zh: '线索评分规则' },
          },
        ];
        return {
          id: r.id,
          title: { en: 'Lead score', zh: '线索评分' },
          at: r.computed_at.toISOString(),
          fields: [
            { key: 'score', label: { en: 'Lead score', zh: '线索评分' }, value: r.score, lineage },
            {
              key: 'top_factors',
              label: { en: 'Why', zh: '主要因素' },
              value: factorWords(r.top_factors),
              lineage,
            },
          ],
        };
      }),
    },
  ];
}

async function erase(tx: Tx, s: DataSubject): Promise<ErasureOutcome[]> {
  const scores = await tx
    .delete(contactScores)
    .where(and(eq(contactScores.tenant_id, s.tenantId), eq(contactScores.contact_id, s.contactId)))
    .returning({ id: contactScores.id });
  const notes = await redactColumns(tx, {
    table: quotas,
    id: quotas.id,
    columns: { note: quotas.note },
    needles: subjectNeedles(s),
    where: eq(quotas.tenant_id, s.tenantId),
  });
  // Loaded models score from cached feature rows: dropped so nothing derived about the person stays in memory.
  for (const { name } of cachesOf(tx).sizes())
    if (name.startsWith('predict.')) cachesOf(tx).map(name).clear();
  return [
    { table: 'contact_scores', action: 'deleted', rows: scores.length },
    {
      table: 'quotas',
      action: 'anonymised',
      rows: notes.length,
      reason: notes.length ? 'sales targets stay; a note that named the person is redacted' : undefined,
    },
  ];
}

export const predictPersonalData: PersonalDataProvider = {
  collect: (tx, s) => collect(tx, s),
  erase: (tx, s) => erase(tx, s),
};

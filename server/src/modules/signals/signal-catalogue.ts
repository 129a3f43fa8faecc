import { z } from 'zod';

/**
 * The built-in signal catalogue (SPEC ): the 17 kinds the brief names or implies.
 * Each has a snake_case key, labels, and a zod schema for its payload. Payload schemas are
 * loose objects: the named fields are checked, extra fields are kept.
 */
export interface SignalKind {
  key: string;
  name: string;
  name_en: string;
  description: string;
  payload: z.ZodObject;
}

const pct = z.number().min(-100).max(100_000);
const sentiment = z.number().min(-1).max(1).describe('-1 (very negative) … 1 (very positive)');
const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const SIGNAL_CATALOGUE: SignalKind[] = [
  {
    key: 'website_visit',
    name: '官网访问',
    name_en: 'Website visit',
    description: 'Visits to our website by people of the account (visit-frequency spikes).',
    payload: loose({
      url: z.string().max(2000).optional(),
      visits: z.number().int().min(1).default(1),
      visitor_id: z.string().optional(),
    }),
  },
  {
    key: 'intent_page_view',
    name: '高意向页面浏览',
    name_en: 'High-intent page view',
    description: 'Pricing, API-docs or competitor-comparison page behaviour.',
    payload: loose({
      page_category: z.enum(['pricing', 'api_docs', 'competitor_comparison', 'case_study', 'other']),
      url: z.string().max(2000).optional(),
      dwell_seconds: z.number().min(0).optional(),
    }),
  },
  {
    key: 'competitor_sentiment',
    name: '竞品负面舆情',
    name_en: 'Competitor sentiment',
    description: 'Public sentiment about a competitor the account uses (negative = opening).',
    payload: loose({
      competitor: z.string().min(1),
      sentiment,
      channel: z.string().optional(),
      text: z.string().max(5000).optional(),
    }),
  },
  {
    key: 'job_posting',
    name: '招聘信息',
    name_en: 'Job posting',
    description: 'The account posted a job, e.g. a procurement role.',
    payload: loose({
      title: z.string().min(1),
      department: z.string().optional(),
      is_procurement: z.boolean().default(false),
    }),
  },
  {
    key: 'tender_notice',
    name: '招投标公告',
    name_en: 'Tender / bid notice',
    description: 'A tender or bid notice published by the account on a bidding platform.',
    payload: loose({
      title: z.string().min(1),
      budget: z.number().min(0).optional(),
      deadline: z.string().optional(),
      platform: z.string().optional(),
      url: z.string().optional(),
    }),
  },
  {
    key: 'registry_change',
    name: '工商变更',
    name_en: 'Business-registry change',
    description:
      'Change in the business registry (天眼查/企查查): legal representative, capital, shareholders …',
    payload: loose({
      field: z.enum([
        'legal_representative',
        'registered_capital',
        'shareholders',
        'address',
        'name',
        'business_scope',
        'other',
      ]),
      old_value: z.unknown().optional(),
      new_value: z.unknown().optional(),
    }),
  },
  {
    key: 'customs_record',
    name: '海关进出口记录',
    name_en: 'Customs import/export record',
    description: 'Customs import/export volume of the account and its change.',
    payload: loose({
      direction: z.enum(['import', 'export']),
      volume_change_pct: pct,
      hs_code: z.string().optional(),
      value: z.number().optional(),
    }),
  },
  {
    key: 'meeting_note',
    name: '会议纪要',
    name_en: 'Meeting note',
    description: 'Meeting notes from WeCom, DingTalk or Feishu.',
    payload: loose({
      platform: z.enum(['wecom', 'dingtalk', 'feishu', 'other']),
      summary: z.string().max(20_000),
      sentiment: sentiment.optional(),
      mentions_competitor: z.boolean().default(false),
      next_steps: z.string().optional(),
    }),
  },
  {
    key: 'email_reply',
    name: '邮件回复',
    name_en: 'Email reply',
    description: 'A reply by a contact, with its sentiment.',
    payload: loose({ subject: z.string().optional(), sentiment, from: z.string().optional() }),
  },
  {
    key: 'call_outcome',
    name: '通话结果',
    name_en: 'Call outcome',
    description: 'Outcome of a call with the account.',
    payload: loose({
      outcome: z.enum(['connected', 'no_answer', 'rejected', 'meeting_booked', 'voicemail']),
      duration_seconds: z.number().min(0).optional(),
    }),
  },
  {
    key: 'product_usage',
    name: '产品使用量',
    name_en: 'Product usage',
    description: 'Usage of our product by the account and its change (drops signal churn).',
    payload: loose({ metric: z.string().min(1), value: z.number().optional(), change_pct: pct }),
  },
  {
    key: 'support_ticket',
    name: '客服工单',
    name_en: 'Support ticket',
    description: 'A support ticket, including escalations.',
    payload: loose({
      subject: z.string().optional(),
      priority: z.enum(['low', 'normal', 'high', 'urgent']),
      escalated: z.boolean().default(false),
      status: z.string().optional(),
    }),
  },
  {
    key: 'payment_overdue',
    name: 'ERP回款逾期',
    name_en: 'Payment overdue (ERP)',
    description: 'An invoice of the account is overdue in the ERP.',
    payload: loose({
      invoice_id: z.string().optional(),
      amount: z.number().min(0).optional(),
      days_overdue: z.number().int().min(0),
    }),
  },
  {
    key: 'job_change',
    name: '关键人变动',
    name_en: 'Champion / stakeholder job change',
    description: 'A champion or stakeholder changed jobs or titles.',
    payload: loose({
      person: z.string().min(1),
      old_title: z.string().optional(),
      new_title: z.string().optional(),
      new_company: z.string().optional(),
      left_company: z.boolean().default(true),
    }),
  },
  {
    key: 'team_attrition',
    name: '我方人员流失',
    name_en: 'HR attrition in our team',
    description: 'Someone in our team who covered the account is leaving (HR system).',
    payload: loose({
      employee: z.string().min(1),
      role: z.string().optional(),
      last_day: z.string().optional(),
    }),
  },
  {
    key: 'contract_renewal',
    name: '合同续约日期',
    name_en: 'Contract / renewal date',
    description: 'A contract of the account is up for renewal.',
    payload: loose({
      contract_id: z.string().optional(),
      renewal_date: z.string().optional(),
      days_to_renewal: z.number().int(),
      value: z.number().optional(),
    }),
  },
  {
    key: 'funding_news',
    name: '融资扩张新闻',
    name_en: 'Funding or expansion news',
    description: 'News of funding, expansion, new plant, IPO or acquisition.',
    payload: loose({
      kind: z.enum(['funding', 'expansion', 'ipo', 'acquisition', 'new_plant', 'other']),
      amount: z.number().optional(),
      summary: z.string().max(5000).optional(),
      url: z.string().optional(),
    }),
  },
];

export const BUILTIN_TYPES = new Map(SIGNAL_CATALOGUE.map((k) => [k.key, k]));

/** Admin-defined payload fields → a zod object (loose). */
export type CustomFieldSpec = {
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'enum';
  required?: boolean;
  values?: string[];
};

export function customPayloadSchema(fields: Record<string, CustomFieldSpec>): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, f] of Object.entries(fields)) {
    let s: z.ZodType;
    switch (f.type) {
      case 'number':
        s = z.number();
        break;
      case 'integer':
        s = z.number().int();
        break;
      case 'boolean':
        s = z.boolean();
        break;
      case 'date':
        s = z.iso.date().or(z.iso.datetime({ offset: true }));
        break;
      case 'enum':
        s = z.enum((f.values ?? []) as [string, ...string[]]);
        break;
      default:
        s = z.string();
    }
    shape[name] = f.required ? s : s.optional();
  }
  return z.looseObject(shape);
}

/** JSON description of a payload schema for the catalogue endpoint and the UI. */
export function describePayload(schema: z.ZodObject): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });
  } catch {
    return {};
  }
}

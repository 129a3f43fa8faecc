/**
 * Default rules: one (or two) per kind of the signal catalogue. A rule's condition is JsonLogic over
 * the fused features of an account in the rule's window:
 *   count.<type>        signals of the type in the window
 *   baseline.<type>     average count per window-length over the 4 windows before it
 *   rate.<type>         count / max(baseline, 1)   (spike detection)
 *   max_strength.<type> strongest signal of the type in the window
 *   latest.<type>.<field> payload of the latest signal of the type in the window
 * Templates use {{path}} over { account, features, latest, rule } (see renderTemplate).
 */
export interface RuleDefinition {
  description?: string;
  signal_types: string[];
  condition: unknown;
  window_days: number;
  severity: 'low' | 'medium' | 'high' | 'critical';
  cooldown_hours: number;
  due_hours?: number;
  title: string;
  what_changed: string;
  talk_track: string;
  resources: { cases: string[]; specialist: string | null; budget: number | null };
}

const v = (path: string, dflt: unknown = null) => ({ var: [path, dflt] });
const cnt = (type: string) => v(`count.${type}`, 0);

export const DEFAULT_RULES: { key: string; name: string; definition: RuleDefinition }[] = [
  {
    key: 'website_visit_spike',
    name: '官网访问激增 Website visit spike',
    definition: {
      signal_types: ['website_visit'],
      condition: { and: [{ '>=': [cnt('website_visit'), 5] }, { '>=': [v('rate.website_visit', 0), 3] }] },
      window_days: 7,
      severity: 'medium',
      cooldown_hours: 72,
      title: '{{account.name}}：官网访问量升至基线的 {{features.rate.website_visit}} 倍',
      what_changed:
        '7 天内访问 {{features.count.website_visit}} 次，基线 {{features.baseline.website_visit}} 次',
      talk_track:
        '{{account.name}} 近期频繁访问我们的官网（{{features.count.website_visit}} 次）。建议以行业案例切入，询问其当前评估进展与时间表。',
      resources: { cases: ['同行业标杆案例'], specialist: null, budget: null },
    },
  },
  {
    key: 'high_intent_pages',
    name: '高意向页面 High-intent pages',
    definition: {
      signal_types: ['intent_page_view'],
      condition: {
        or: [
          { '>=': [cnt('intent_page_view'), 3] },
          { '==': [v('latest.intent_page_view.page_category'), 'competitor_comparison'] },
        ],
      },
      window_days: 7,
      severity: 'high',
      cooldown_hours: 72,
      title: '{{account.name}} 正在查看价格 / API 文档 / 竞品对比页',
      what_changed:
        '高意向页面浏览 {{features.count.intent_page_view}} 次；最近：{{latest.intent_page_view.page_category}}',
      talk_track:
        '客户正在查看{{latest.intent_page_view.page_category}}页面，说明已进入方案比较阶段。主动提供对比材料与报价框架，约技术交流。',
      resources: { cases: ['竞品对比白皮书', 'API 集成案例'], specialist: '售前工程师', budget: null },
    },
  },
  {
    key: 'competitor_negative_sentiment',
    name: '竞品负面舆情 Competitor negative sentiment',
    definition: {
      signal_types: ['competitor_sentiment'],
      condition: { '<=': [v('latest.competitor_sentiment.sentiment'), -0.5] },
      window_days: 14,
      severity: 'medium',
      cooldown_hours: 168,
      title: '{{account.name}}：竞品 {{latest.competitor_sentiment.competitor}} 负面舆情',
      what_changed:
        '{{latest.competitor_sentiment.channel}} 上情感值 {{latest.competitor_sentiment.sentiment}}',
      talk_track:
        '{{latest.competitor_sentiment.competitor}} 近期口碑下滑。以稳定性与服务保障为切入点，不要直接攻击竞品，提供迁移方案。',
      resources: { cases: ['竞品替换案例'], specialist: null, budget: null },
    },
  },
  {
    key: 'procurement_hiring',
    name: '采购岗位招聘 Procurement hiring',
    definition: {
      signal_types: ['job_posting'],
      condition: { '==': [v('latest.job_posting.is_procurement'), true] },
      window_days: 30,
      severity: 'medium',
      cooldown_hours: 336,
      title: '{{account.name}} 招聘采购岗位：{{latest.job_posting.title}}',
      what_changed: '新的采购职位发布：{{latest.job_posting.title}}',
      talk_track:
        '客户在招聘采购岗位（{{latest.job_posting.title}}），可能在筹备新的采购项目。建议尽快与采购部门建立联系。',
      resources: { cases: [], specialist: null, budget: null },
    },
  },
  {
    key: 'tender_published',
    name: '招标公告 Tender published',
    definition: {
      signal_types: ['tender_notice'],
      condition: { '>=': [cnt('tender_notice'), 1] },
      window_days: 7,
      severity: 'high',
      cooldown_hours: 72,
      due_hours: 24,
      title: '{{account.name}} 发布招标：{{latest.tender_notice.title}}',
      what_changed:
        '招标平台 {{latest.tender_notice.platform}}，预算 {{latest.tender_notice.budget}}，截止 {{latest.tender_notice.deadline}}',
      talk_track:
        '{{account.name}} 发布招标「{{latest.tender_notice.title}}」。确认是否已参与需求制定，准备资质文件，预约投标前澄清会。',
      resources: { cases: ['同类项目中标案例'], specialist: '投标经理', budget: 20000 },
    },
  },
  {
    key: 'registry_change',
    name: '工商变更 Registry change',
    definition: {
      signal_types: ['registry_change'],
      condition: { '>=': [cnt('registry_change'), 1] },
      window_days: 14,
      severity: 'medium',
      cooldown_hours: 168,
      title: '{{account.name}}：工商变更（{{latest.registry_change.field}}）',
      what_changed:
        '{{latest.registry_change.field}}：{{latest.registry_change.old_value}} → {{latest.registry_change.new_value}}',
      talk_track:
        '客户工商信息变更（{{latest.registry_change.field}}）。关注决策链是否调整，必要时重新确认预算与审批流程。',
      resources: { cases: [], specialist: null, budget: null },
    },
  },
  {
    key: 'customs_volume_shift',
    name: '进出口量变化 Customs volume shift',
    definition: {
      signal_types: ['customs_record'],
      condition: {
        or: [
          { '>=': [v('latest.customs_record.volume_change_pct', 0), 30] },
          { '<=': [v('latest.customs_record.volume_change_pct', 0), -30] },
        ],
      },
      window_days: 30,
      severity: 'medium',
      cooldown_hours: 336,
      title:
        '{{account.name}}：海关{{latest.customs_record.direction}}量变化 {{latest.customs_record.volume_change_pct}}%',
      what_changed:
        '海关{{latest.customs_record.direction}}量变化 {{latest.customs_record.volume_change_pct}}%',
      talk_track:
        '客户{{latest.customs_record.direction}}量变化 {{latest.customs_record.volume_change_pct}}%。增长时谈扩容，下滑时谈降本与灵活付款。',
      resources: { cases: [], specialist: null, budget: null },
    },
  },
  {
    key: 'meeting_risk',
    name: '会议风险 Meeting risk',
    definition: {
      signal_types: ['meeting_note'],
      condition: {
        or: [
          { '<=': [v('latest.meeting_note.sentiment'), -0.3] },
          { '==': [v('latest.meeting_note.mentions_competitor'), true] },
        ],
      },
      window_days: 7,
      severity: 'high',
      cooldown_hours: 72,
      title: '与 {{account.name}} 最近一次会议出现风险',
      what_changed:
        '{{latest.meeting_note.platform}} 会议：情感值 {{latest.meeting_note.sentiment}}，提及竞品：{{latest.meeting_note.mentions_competitor}}',
      talk_track:
        '上次会议（{{latest.meeting_note.platform}}）出现负面信号或提及竞品。48 小时内跟进，逐条回应顾虑，邀请技术专家参加下次会议。',
      resources: { cases: ['客户顾虑应对手册'], specialist: '解决方案专家', budget: null },
    },
  },
  {
    key: 'email_negative',
    name: '邮件负面回复 Negative email reply',
    definition: {
      signal_types: ['email_reply'],
      condition: { '<=': [v('latest.email_reply.sentiment'), -0.5] },
      window_days: 7,
      severity: 'medium',
      cooldown_hours: 72,
      title: '{{account.name}} 邮件回复偏负面',
      what_changed: '邮件「{{latest.email_reply.subject}}」情感值 {{latest.email_reply.sentiment}}',
      talk_track: '客户邮件回复情绪负面。建议电话沟通而不是继续邮件往来，先倾听再澄清。',
      resources: { cases: [], specialist: null, budget: null },
    },
  },
  {
    key: 'call_rejected',
    name: '通话被拒 Call rejected',
    definition: {
      signal_types: ['call_outcome'],
      condition: {
        or: [{ '==': [v('latest.call_outcome.outcome'), 'rejected'] }, { '>=': [cnt('call_outcome'), 5] }],
      },
      window_days: 7,
      severity: 'low',
      cooldown_hours: 168,
      title: '{{account.name}} 电话持续未接通',
      what_changed:
        '最近通话结果：{{latest.call_outcome.outcome}}（7 天内 {{features.count.call_outcome}} 通）',
      talk_track: '近期电话未能有效沟通。换一位联系人或通过已建立信任的内部支持者引荐。',
      resources: { cases: [], specialist: null, budget: null },
    },
  },
  {
    key: 'usage_drop',
    name: '使用量下降 Product usage drop',
    definition: {
      signal_types: ['product_usage'],
      condition: { '<=': [v('latest.product_usage.change_pct', 0), -30] },
      window_days: 14,
      severity: 'high',
      cooldown_hours: 168,
      title:
        '{{account.name}}：{{latest.product_usage.metric}} 使用量变化 {{latest.product_usage.change_pct}}%',
      what_changed: '{{latest.product_usage.metric}} 变化 {{latest.product_usage.change_pct}}%',
      talk_track: '客户使用量明显下降，存在流失风险。安排客户成功经理回访，了解原因并提供培训或优化建议。',
      resources: { cases: ['使用率提升方案'], specialist: '客户成功经理', budget: null },
    },
  },
  {
    key: 'support_escalation',
    name: '工单升级 Support escalation',
    definition: {
      signal_types: ['support_ticket'],
      condition: {
        or: [
          { '==': [v('latest.support_ticket.escalated'), true] },
          { '==': [v('latest.support_ticket.priority'), 'urgent'] },
        ],
      },
      window_days: 7,
      severity: 'high',
      cooldown_hours: 48,
      due_hours: 8,
      title: '{{account.name}} 工单升级：{{latest.support_ticket.subject}}',
      what_changed:
        '工单优先级 {{latest.support_ticket.priority}}，已升级：{{latest.support_ticket.escalated}}',
      talk_track: '客户有升级工单。主动告知处理进展与时间表，避免客户从其他渠道先得知。',
      resources: { cases: [], specialist: '技术支持负责人', budget: null },
    },
  },
  {
    key: 'payment_overdue',
    name: '回款逾期 Payment overdue',
    definition: {
      signal_types: ['payment_overdue'],
      condition: {
        and: [
          { '>=': [v('latest.payment_overdue.days_overdue', 0), 30] },
          { '<': [v('latest.payment_overdue.days_overdue', 0), 90] },
        ],
      },
      window_days: 30,
      severity: 'high',
      cooldown_hours: 168,
      title: '{{account.name}}：发票逾期 {{latest.payment_overdue.days_overdue}} 天',
      what_changed:
        '发票 {{latest.payment_overdue.invoice_id}}（{{latest.payment_overdue.amount}}）已逾期 {{latest.payment_overdue.days_overdue}} 天',
      talk_track:
        '客户回款逾期 {{latest.payment_overdue.days_overdue}} 天。先确认是流程问题还是资金问题，再与财务联系人协商付款计划。',
      resources: { cases: [], specialist: '财务对接人', budget: null },
    },
  },
  {
    key: 'payment_overdue_critical',
    name: '严重逾期 Payment overdue ≥ 90 days',
    definition: {
      signal_types: ['payment_overdue'],
      condition: { '>=': [v('latest.payment_overdue.days_overdue', 0), 90] },
      window_days: 30,
      severity: 'critical',
      cooldown_hours: 168,
      due_hours: 24,
      title: '{{account.name}}：发票严重逾期 {{latest.payment_overdue.days_overdue}} 天',
      what_changed:
        '发票 {{latest.payment_overdue.invoice_id}} 已逾期 {{latest.payment_overdue.days_overdue}} 天',
      talk_track: '严重逾期。暂停新订单审批，请区域经理与客户高层直接沟通还款安排。',
      resources: { cases: [], specialist: '区域经理', budget: null },
    },
  },
  {
    key: 'champion_left',
    name: '关键人离职 Champion left',
    definition: {
      signal_types: ['job_change'],
      condition: { '==': [v('latest.job_change.left_company'), true] },
      window_days: 30,
      severity: 'critical',
      cooldown_hours: 336,
      due_hours: 48,
      title: '{{latest.job_change.person}} 已离开 {{account.name}}',
      what_changed:
        '{{latest.job_change.person}}（{{latest.job_change.old_title}}）已加入 {{latest.job_change.new_company}}',
      talk_track:
        '关键人 {{latest.job_change.person}} 已离职。尽快确认继任者并重建关系；同时联系其新公司，可能带来新机会。',
      resources: { cases: [], specialist: '区域经理', budget: null },
    },
  },
  {
    key: 'team_attrition',
    name: '我方人员流失 Coverage gap from attrition',
    definition: {
      signal_types: ['team_attrition'],
      condition: { '>=': [cnt('team_attrition'), 1] },
      window_days: 30,
      severity: 'high',
      cooldown_hours: 336,
      title: '{{account.name}} 覆盖缺口：{{latest.team_attrition.employee}} 即将离职',
      what_changed:
        '{{latest.team_attrition.employee}}（{{latest.team_attrition.role}}）最后工作日 {{latest.team_attrition.last_day}}',
      talk_track: '我方负责同事即将离职。安排交接拜访，由新负责人与客户当面建立联系，确保承诺延续。',
      resources: { cases: [], specialist: '团队经理', budget: null },
    },
  },
  {
    key: 'renewal_due',
    name: '合同续约临近 Renewal due',
    definition: {
      signal_types: ['contract_renewal'],
      condition: {
        and: [
          { '!=': [v('latest.contract_renewal.days_to_renewal'), null] },
          { '<=': [0, v('latest.contract_renewal.days_to_renewal'), 90] },
        ],
      },
      window_days: 30,
      severity: 'medium',
      cooldown_hours: 720,
      title: '{{account.name}}：{{latest.contract_renewal.days_to_renewal}} 天后续约',
      what_changed:
        '合同 {{latest.contract_renewal.contract_id}} 于 {{latest.contract_renewal.renewal_date}} 续约',
      talk_track:
        '合同将在 {{latest.contract_renewal.days_to_renewal}} 天后到期。提前回顾价值交付成果，探讨续约与扩展。',
      resources: { cases: ['价值回顾模板'], specialist: '客户成功经理', budget: null },
    },
  },
  {
    key: 'funding_expansion',
    name: '融资扩张 Funding / expansion',
    definition: {
      signal_types: ['funding_news'],
      condition: { '>=': [cnt('funding_news'), 1] },
      window_days: 14,
      severity: 'low',
      cooldown_hours: 336,
      title: '{{account.name}}：{{latest.funding_news.kind}}动态',
      what_changed: '{{latest.funding_news.summary}}',
      talk_track:
        '客户有{{latest.funding_news.kind}}动态，通常伴随新项目预算。祝贺并探讨新产线/新业务的需求。',
      resources: { cases: ['扩产项目案例'], specialist: null, budget: null },
    },
  },
];

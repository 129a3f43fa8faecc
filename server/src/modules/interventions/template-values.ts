/**
 * Values a rule template puts into a sentence, in words: the codes of the signal catalogue's
 * payloads (wecom, pricing, rejected …), yes/no for booleans, the CRM's own codes (open/won/lost,
 * committee roles and stances, contract). A template written in Chinese gets Chinese words, any
 * other one English; a value that is not a known code is put in as it is.
 */
const VALUES: Record<string, [en: string, zh: string]> = {
  // intent_page_view.page_category
  pricing: ['pricing', '价格'],
  api_docs: ['API docs', 'API 文档'],
  competitor_comparison: ['competitor comparison', '竞品对比'],
  case_study: ['case study', '客户案例'],
  // registry_change.field
  legal_representative: ['legal representative', '法定代表人'],
  registered_capital: ['registered capital', '注册资本'],
  shareholders: ['shareholders', '股东'],
  address: ['address', '地址'],
  business_scope: ['business scope', '经营范围'],
  // customs_record.direction
  import: ['import', '进口'],
  export: ['export', '出口'],
  // meeting_note.platform
  wecom: ['WeCom', '企业微信'],
  dingtalk: ['DingTalk', '钉钉'],
  feishu: ['Feishu', '飞书'],
  // call_outcome.outcome
  connected: ['connected', '已接通'],
  no_answer: ['no answer', '未接听'],
  rejected: ['rejected', '被拒'],
  meeting_booked: ['meeting booked', '已约会议'],
  voicemail: ['voicemail', '语音留言'],
  // support_ticket.priority
  low: ['low', '低'],
  normal: ['normal', '普通'],
  high: ['high', '高'],
  urgent: ['urgent', '紧急'],
  // funding_news.kind
  funding: ['funding', '融资'],
  expansion: ['expansion', '扩张'],
  ipo: ['IPO', '上市'],
  acquisition: ['acquisition', '并购'],
  new_plant: ['new plant', '新建工厂'],
  // CRM codes
  open: ['open', '进行中'],
  won: ['won', '赢单'],
  lost: ['lost', '丢单'],
  technical: ['technical', '技术'],
  procurement: ['procurement', '采购'],
  finance: ['finance', '财务'],
  legal: ['legal', '法务'],
  executive: ['executive', '高层决策'],
  user: ['user', '使用者'],
  champion: ['champion', '支持者（内线）'],
  supporter: ['supporter', '支持'],
  neutral: ['neutral', '中立'],
  skeptic: ['skeptic', '怀疑'],
  blocker: ['blocker', '反对'],
  // job titles and contract kinds signals carry
  director: ['director', '总监'],
  manager: ['manager', '经理'],
  vp: ['VP', '副总裁'],
  ceo: ['CEO', '总经理'],
  cfo: ['CFO', '财务负责人'],
  cto: ['CTO', '技术负责人'],
  renewal: ['renewal', '续约'],
  contract: ['contract', '合同'],
  other: ['other', '其他'],
};

const CJK = /[\u3400-\u9fff]/;

/** The words for one value in a template (Chinese when the template is). */
export function templateValue(value: unknown, template: string): string {
  const zh = CJK.test(template);
  if (typeof value === 'boolean') return zh ? (value ? '是' : '否') : value ? 'yes' : 'no';
  const text = String(value);
  const words = VALUES[text];
  return words ? words[zh ? 1 : 0] : text;
}

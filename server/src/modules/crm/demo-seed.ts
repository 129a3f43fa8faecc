import { eq } from 'drizzle-orm';
import { userService } from '../../platform/auth/auth.routes.js';
import { users } from '../../platform/auth/auth.schema.js';
import { hashPassword } from '../../platform/auth/auth.service.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import type { Role } from '../../platform/auth/permissions.js';
import type { Database } from '../../platform/db/database.js';
import { ensureTenant } from '../../platform/tenancy/tenant.service.js';
import {
  accountService,
  activityService,
  contactService,
  opportunityService,
  pipelineService,
  productService,
  regionService,
  type Stage,
  teamService,
} from './crm.service.js';
import { withCreditCodeCheckDigit } from './crm.validation.js';

export const DEMO_TENANT = 'demo';
export const DEMO_PASSWORD = 'zhongshu-demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.zhongshu.local';

/** Deterministic PRNG so every newcomer sees the same demo. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_STAGES: Stage[] = [
  { key: 'qualify', name: '线索确认', name_en: 'Qualify', probability: 10, kind: 'open' },
  { key: 'discovery', name: '需求分析', name_en: 'Discovery', probability: 20, kind: 'open' },
  {
    key: 'solution',
    name: '方案与技术评估',
    name_en: 'Solution & evaluation',
    probability: 40,
    kind: 'open',
  },
  { key: 'negotiation', name: '商务谈判', name_en: 'Negotiation', probability: 60, kind: 'open' },
  { key: 'contract', name: '合同审批', name_en: 'Contract', probability: 80, kind: 'open' },
  { key: 'won', name: '赢单', name_en: 'Won', probability: 100, kind: 'won' },
  { key: 'lost', name: '输单', name_en: 'Lost', probability: 0, kind: 'lost' },
];

const SURNAMES: [string, string][] = [
  ['王', 'wang'],
  ['李', 'li'],
  ['张', 'zhang'],
  ['刘', 'liu'],
  ['陈', 'chen'],
  ['杨', 'yang'],
  ['黄', 'huang'],
  ['赵', 'zhao'],
  ['吴', 'wu'],
  ['周', 'zhou'],
  ['徐', 'xu'],
  ['孙', 'sun'],
  ['马', 'ma'],
  ['朱', 'zhu'],
  ['胡', 'hu'],
  ['郭', 'guo'],
  ['何', 'he'],
  ['林', 'lin'],
  ['罗', 'luo'],
  ['高', 'gao'],
  ['郑', 'zheng'],
  ['梁', 'liang'],
  ['谢', 'xie'],
  ['宋', 'song'],
  ['唐', 'tang'],
];
const GIVEN: [string, string][] = [
  ['伟', 'wei'],
  ['芳', 'fang'],
  ['娜', 'na'],
  ['敏', 'min'],
  ['静', 'jing'],
  ['丽', 'li'],
  ['强', 'qiang'],
  ['磊', 'lei'],
  ['军', 'jun'],
  ['洋', 'yang'],
  ['勇', 'yong'],
  ['艳', 'yan'],
  ['杰', 'jie'],
  ['涛', 'tao'],
  ['明', 'ming'],
  ['超', 'chao'],
  ['秀英', 'xiuying'],
  ['志强', 'zhiqiang'],
  ['建华', 'jianhua'],
  ['海燕', 'haiyan'],
  ['晓东', 'xiaodong'],
  ['雪梅', 'xuemei'],
  ['文博', 'wenbo'],
  ['子涵', 'zihan'],
  ['浩然', 'haoran'],
  ['思远', 'siyuan'],
  ['一鸣', 'yiming'],
  ['欣怡', 'xinyi'],
];
const CITIES: [string, string, string][] = [
  // city, pinyin, region
  ['上海', 'sh', '华东'],
  ['苏州', 'sz', '华东'],
  ['杭州', 'hz', '华东'],
  ['宁波', 'nb', '华东'],
  ['合肥', 'hf', '华东'],
  ['南京', 'nj', '华东'],
  ['北京', 'bj', '华北'],
  ['天津', 'tj', '华北'],
  ['济南', 'jn', '华北'],
  ['广州', 'gz', '华南'],
  ['深圳', 'shenzhen', '华南'],
  ['佛山', 'fs', '华南'],
  ['成都', 'cd', '西南'],
  ['重庆', 'cq', '西南'],
  ['武汉', 'wh', '华中'],
  ['长沙', 'cs', '华中'],
  ['西安', 'xa', '西北'],
];
/** Real area codes, so seeded landlines pass phone validation. */
const AREA_CODES: Record<string, string> = {
  上海: '021',
  苏州: '0512',
  杭州: '0571',
  宁波: '0574',
  合肥: '0551',
  南京: '025',
  北京: '010',
  天津: '022',
  济南: '0531',
  广州: '020',
  深圳: '0755',
  佛山: '0757',
  成都: '028',
  重庆: '023',
  武汉: '027',
  长沙: '0731',
  西安: '029',
};
/** A landline with the city's real area code (the first draw, once a made-up code, keeps the seeded sequence). */
function landlineIn(draw: (lo: number, hi: number) => number, city: string): string {
  draw(10, 99);
  return `${AREA_CODES[city] ?? '010'}-${Math.floor(draw(60000000, 89999999))}`;
}
const WORDS: [string, string][] = [
  ['远航', 'yuanhang'],
  ['启明', 'qiming'],
  ['恒通', 'hengtong'],
  ['瑞丰', 'ruifeng'],
  ['海川', 'haichuan'],
  ['鼎新', 'dingxin'],
  ['华驰', 'huachi'],
  ['博越', 'boyue'],
  ['天衡', 'tianheng'],
  ['卓锐', 'zhuorui'],
  ['云帆', 'yunfan'],
  ['盛达', 'shengda'],
  ['致远', 'zhiyuan'],
  ['嘉禾', 'jiahe'],
  ['新程', 'xincheng'],
  ['光启', 'guangqi'],
  ['拓维', 'tuowei'],
  ['凌云', 'lingyun'],
];

type Line = 'battery' | 'medical' | 'software';
const SEGMENTS: Record<
  Line,
  { industry: string; suffix: string[]; size: [number, number]; amount: [number, number]; products: string[] }
> = {
  battery: {
    industry: '新能源汽车',
    suffix: ['新能源汽车有限公司', '汽车股份有限公司', '商用车有限公司'],
    size: [2000, 30000],
    amount: [5_000_000, 80_000_000],
    products: ['LFP-280 磷酸铁锂电芯', 'NCM-811 高镍动力电池包', 'BMS-3 电池管理系统'],
  },
  medical: {
    industry: '医疗',
    suffix: ['市第一人民医院', '中心医院', '医科大学附属医院'],
    size: [1500, 8000],
    amount: [800_000, 9_000_000],
    products: ['PACS 影像归档与通信系统', 'DR-700 数字化X射线机', '远程影像诊断云'],
  },
  software: {
    industry: '智能制造',
    suffix: ['精密制造有限公司', '电子科技股份有限公司', '机械集团有限公司'],
    size: [300, 6000],
    amount: [300_000, 5_000_000],
    products: ['MES 制造执行系统', 'APS 智能排产', '设备物联平台'],
  },
};
const ROLES_BY_LINE: Record<Line, [string, string, string][]> = {
  // committee role, title, department
  battery: [
    ['technical', '电池系统总工程师', '研发中心'],
    ['procurement', '采购总监', '采购部'],
    ['finance', '财务经理', '财务部'],
    ['legal', '法务主管', '法务部'],
    ['esg', 'ESG 负责人', '可持续发展部'],
    ['executive', '副总裁', '总裁办'],
    ['user', '电池测试工程师', '测试中心'],
  ],
  medical: [
    ['technical', '信息科主任', '信息科'],
    ['procurement', '设备科科长', '设备科'],
    ['finance', '财务处处长', '财务处'],
    ['legal', '法务专员', '院办'],
    ['executive', '副院长', '院办'],
    ['user', '放射科主任', '放射科'],
    ['user', '影像技师', '放射科'],
  ],
  software: [
    ['technical', 'IT 总监', '信息部'],
    ['procurement', '采购经理', '采购部'],
    ['finance', '财务总监', '财务部'],
    ['executive', '总经理', '总经办'],
    ['user', '生产计划主管', '计划部'],
    ['user', '车间主任', '制造部'],
    ['esg', '能源管理专员', 'EHS 部'],
  ],
};
const PREFS: Record<Line, string[]> = {
  battery: ['更关注能量密度', '更关注循环寿命', '关注低温性能', '关注碳足迹认证', '关注成本每kWh'],
  medical: ['关注等保三级合规', '关注与 HIS 集成', '关注影像调阅速度', '关注国产化替代'],
  software: ['关注排产准确率', '关注上线周期', '关注与 ERP 集成', '关注私有化部署'],
};
const ACTIVITY_TEXT: Record<string, string[]> = {
  call: [
    '电话沟通项目进度，客户确认预算已进入审批流程',
    '电话跟进技术澄清问题，约定下周现场交流',
    '与采购电话确认招标时间表',
  ],
  meeting: [
    '组织技术交流会，演示产品核心能力，客户技术团队参与积极',
    '与客户高层会谈，明确合作方向与关键决策人',
    '方案评审会：客户提出定制化需求，售前跟进',
  ],
  visit: [
    '现场拜访客户工厂，了解产线现状与痛点',
    '陪同客户参观样板客户现场，反馈良好',
    '拜访信息科，调研现有系统架构',
  ],
  email: ['发送技术方案与报价单，请客户确认', '邮件回复客户关于交付周期的问题', '发送同行业成功案例资料'],
  note: [
    '客户对竞品价格较敏感，需准备价值论证材料',
    '决策链中财务部尚未接触，需安排拜访',
    '客户近期有组织架构调整，关注关键人变动',
  ],
};

export interface SeedSummary {
  tenant: string;
  created: boolean;
  users: number;
  accounts: number;
  contacts: number;
  opportunities: number;
  activities: number;
}

/** Seeds a living Chinese B2B demo: ≥50 accounts, ≥300 contacts, ≥200 opportunities over 18 months. */
export async function seedDemo(
  database: Database,
  tenantName = DEMO_TENANT,
  now = new Date(),
): Promise<SeedSummary> {
  const { tenant } = await ensureTenant(database, tenantName, { display_name: '中枢演示科技有限公司' });
  const existing = await database.systemTx((tx) =>
    tx.select({ id: users.id }).from(users).where(eq(users.tenant_id, tenant.id)).limit(1),
  );
  const alreadySeeded = await database.query<{ n: number }>(
    'select count(*)::int as n from accounts where tenant_id = $1',
    [tenant.id],
  );
  if (alreadySeeded.rows[0].n > 0) {
    return {
      tenant: tenantName,
      created: false,
      users: existing.length,
      accounts: alreadySeeded.rows[0].n,
      contacts: 0,
      opportunities: 0,
      activities: 0,
    };
  }
  const rand = rng(20261127);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const between = (a: number, b: number) => a + rand() * (b - a);
  const ctx: ActorContext = systemContext(tenant.id, 'seed', '演示数据');
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const emailDomain =
    tenantName === DEMO_TENANT
      ? 'demo.zhongshu.local'
      : `${tenantName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.zhongshu.local`;

  return database.tenantTx(tenant.id, async (tx) => {
    const regionIds = new Map<string, string>();
    for (const [name, code] of [
      ['华东', 'EC'],
      ['华北', 'NC'],
      ['华南', 'SC'],
      ['西南', 'SW'],
      ['华中', 'CC'],
      ['西北', 'NW'],
    ]) {
      regionIds.set(
        name,
        String((await regionService.create(tx, ctx, { name, code }, { method: 'seed' })).id),
      );
    }
    const people: { name: string; email: string; role: Role; region: string }[] = [
      { name: '系统管理员', email: `admin@${emailDomain}`, role: 'admin', region: '华东' },
      { name: '赵敏', email: `zhao.min@${emailDomain}`, role: 'regional_manager', region: '华东' },
      { name: '孙浩', email: `sun.hao@${emailDomain}`, role: 'manager', region: '华北' },
      { name: '王芳', email: `wang.fang@${emailDomain}`, role: 'rep', region: '华东' },
      { name: '李强', email: `li.qiang@${emailDomain}`, role: 'rep', region: '华东' },
      { name: '张伟', email: `zhang.wei@${emailDomain}`, role: 'rep', region: '华北' },
      { name: '刘洋', email: `liu.yang@${emailDomain}`, role: 'rep', region: '华南' },
      { name: '陈静', email: `chen.jing@${emailDomain}`, role: 'rep', region: '西南' },
      { name: '杨磊', email: `yang.lei@${emailDomain}`, role: 'rep', region: '华中' },
      { name: '周杰', email: `zhou.jie@${emailDomain}`, role: 'presales', region: '华东' },
      { name: '吴婷', email: `wu.ting@${emailDomain}`, role: 'csm', region: '华东' },
      { name: '郑爽', email: `zheng.shuang@${emailDomain}`, role: 'marketing', region: '华东' },
      { name: '冯刚', email: `feng.gang@${emailDomain}`, role: 'coach', region: '华东' },
    ];
    const createdUserIds = await userService.bulkInsert(
      tx,
      ctx,
      people.map((p) => ({
        email: p.email,
        name: p.name,
        role: p.role,
        password_hash: passwordHash,
        region_id: regionIds.get(p.region),
      })),
      { method: 'seed' },
    );
    const userIds = new Map(people.map((p, i) => [p.name, createdUserIds[i]]));
    const teamIds = new Map<string, string>();
    for (const [name, region, leader] of [
      ['华东大客户部', '华东', '赵敏'],
      ['华北销售部', '华北', '孙浩'],
      ['华南及西南销售部', '华南', '孙浩'],
    ]) {
      teamIds.set(
        name,
        String(
          (
            await teamService.create(
              tx,
              ctx,
              { name, region_id: regionIds.get(region), leader_id: userIds.get(leader) },
              { method: 'seed' },
            )
          ).id,
        ),
      );
    }
    const repsByRegion: Record<string, string[]> = {
      华东: ['王芳', '李强'],
      华北: ['张伟'],
      华南: ['刘洋'],
      西南: ['陈静'],
      华中: ['杨磊'],
      西北: ['张伟'],
    };
    const teamOfRep: Record<string, string> = {
      王芳: '华东大客户部',
      李强: '华东大客户部',
      张伟: '华北销售部',
      刘洋: '华南及西南销售部',
      陈静: '华南及西南销售部',
      杨磊: '华东大客户部',
    };
    // Each rep reports to the leader of their team: the manager's team brief and the manager chain
    // of record sharing follow it.
    const leaderOfTeam: Record<string, string> = {
      华东大客户部: '赵敏',
      华北销售部: '孙浩',
      华南及西南销售部: '孙浩',
    };
    for (const [rep, team] of Object.entries(teamOfRep)) {
      const repId = userIds.get(rep);
      const managerId = userIds.get(leaderOfTeam[team]);
      if (repId && managerId)
        await userService.update(
          tx,
          ctx,
          String(repId),
          { manager_id: String(managerId) },
          { method: 'seed' },
        );
    }

    const pipeline = await pipelineService.create(
      tx,
      ctx,
      { name: '标准销售流程', is_default: true, stages: DEFAULT_STAGES },
      { method: 'seed' },
    );
    const productIds: Record<Line, string[]> = { battery: [], medical: [], software: [] };
    for (const line of Object.keys(SEGMENTS) as Line[]) {
      for (const [i, name] of SEGMENTS[line].products.entries()) {
        const p = await productService.create(
          tx,
          ctx,
          {
            name,
            sku: `${line.slice(0, 3).toUpperCase()}-${100 + i}`,
            family: SEGMENTS[line].industry,
            unit_price: Math.round(SEGMENTS[line].amount[0] / 4),
            currency: 'CNY',
          },
          { method: 'seed' },
        );
        productIds[line].push(String(p.id));
      }
    }

    // Accounts: 60 across three segments.
    const accountRows: Record<string, unknown>[] = [];
    const accountMeta: { line: Line; region: string; owner: string; domain: string }[] = [];
    const usedNames = new Set<string>();
    for (let i = 0; accountRows.length < 60; i++) {
      const line: Line = (['battery', 'medical', 'software'] as Line[])[i % 3];
      const seg = SEGMENTS[line];
      const [city, cityPy, region] = pick(CITIES);
      const landline = (c: string) => landlineIn(between, c);
      const [word, wordPy] = pick(WORDS);
      const name =
        line === 'medical' ? `${city}${word}${pick(seg.suffix)}` : `${city}${word}${pick(seg.suffix)}`;
      if (usedNames.has(name)) continue;
      usedNames.add(name);
      const domain = `${wordPy}-${cityPy}${line === 'medical' ? '-hospital' : ''}.com.cn`;
      const owner = pick(repsByRegion[region]);
      const code = withCreditCodeCheckDigit(
        `91${String(310000 + Math.floor(rand() * 89999)).padStart(6, '0')}MA${Array.from({ length: 7 }, () => '0123456789ABCDEFGHJKLMNPQRTUWXY'[Math.floor(rand() * 31)]).join('')}`,
      );
      accountRows.push({
        name,
        aliases: [`${city}${word}`],
        domains: [domain],
        credit_code: code,
        industry: seg.industry,
        region_id: regionIds.get(region),
        size: '大型',
        employees: Math.round(between(...seg.size)),
        owner_id: userIds.get(owner),
        tags: [
          line === 'battery' ? '动力电池' : line === 'medical' ? 'PACS' : 'MES',
          rand() < 0.3 ? '战略客户' : '重点客户',
        ],
        website: `https://www.${domain}`,
        phone: landline(city),
        address: `${city}市${pick(['高新区', '经济开发区', '工业园区', '滨江区'])}${Math.floor(between(1, 999))}号`,
        description: `${seg.industry}行业客户，主要关注${pick(PREFS[line])}`,
        created_at: new Date(now.getTime() - between(500, 560) * 86400_000),
      });
      accountMeta.push({ line, region, owner, domain });
    }
    const accountIds = await accountService.bulkInsert(tx, ctx, accountRows, { method: 'seed' });

    // Contacts: 6–7 per account, as a buying committee (some roles deliberately missing).
    const contactRows: Record<string, unknown>[] = [];
    const contactsOfAccount = new Map<string, number[]>();
    accountIds.forEach((accountId, ai) => {
      const meta = accountMeta[ai];
      const roles = ROLES_BY_LINE[meta.line].filter(() => rand() < 0.92);
      const extra = Math.max(0, 6 - roles.length);
      const list = [...roles, ...Array.from({ length: extra }, () => pick(ROLES_BY_LINE[meta.line]))];
      for (const [role, title, dept] of list) {
        const [sn, snPy] = pick(SURNAMES);
        const [gn, gnPy] = pick(GIVEN);
        const idx = contactRows.length;
        contactRows.push({
          account_id: accountId,
          name: `${sn}${gn}`,
          name_en: `${gnPy[0].toUpperCase()}${gnPy.slice(1)} ${snPy[0].toUpperCase()}${snPy.slice(1)}`,
          emails: [`${gnPy}.${snPy}${idx}@${meta.domain}`],
          phones: [
            `+86 13${Math.floor(between(0, 9))}${String(Math.floor(between(0, 99999999))).padStart(8, '0')}`,
          ],
          title,
          department: dept,
          committee_role: role,
          influence: Math.ceil(between(1, 5)),
          stance: pick(['champion', 'supporter', 'neutral', 'neutral', 'skeptic', 'blocker']),
          preferences: [pick(PREFS[meta.line])],
          owner_id: userIds.get(meta.owner),
          created_at: new Date(now.getTime() - between(300, 500) * 86400_000),
        });
        contactsOfAccount.set(accountId, [...(contactsOfAccount.get(accountId) ?? []), idx]);
      }
    });
    const contactIds = await contactService.bulkInsert(tx, ctx, contactRows, { method: 'seed' });

    // Opportunities: 900 over 18 months; older ones closed won/lost, recent ones open.
    const oppRows: Record<string, unknown>[] = [];
    const oppMeta: { accountIdx: number; created: Date; closeDate: Date; status: string; touches: number }[] =
      [];
    const DAY = 86400_000;
    // Outcomes follow patterns a model can learn (as in real pipelines), not coin flips: some reps
    // close better, engaged deals (more touches) and accounts with a champion win more, big deals less.
    const REP_SKILL: Record<string, number> = {
      王芳: 0.9,
      李强: 0.3,
      张伟: 0,
      刘洋: -0.4,
      陈静: 0.2,
      杨磊: -0.6,
    };
    const LINE_EFFECT: Record<Line, number> = { battery: -0.3, medical: 0.3, software: 0.1 };
    const hasChampion = new Set(
      contactRows.filter((c) => c.stance === 'champion').map((c) => c.account_id as string),
    );
    const winChance = (ai: number, amount: number, touches: number) => {
      const meta = accountMeta[ai];
      const z =
        -0.5 +
        REP_SKILL[meta.owner] +
        LINE_EFFECT[meta.line] +
        0.8 * (touches - 5) -
        0.6 * Math.log10(amount / SEGMENTS[meta.line].amount[0]) +
        (hasChampion.has(accountIds[ai]) ? 0.7 : -0.2);
      return 1 / (1 + Math.exp(-z));
    };
    for (let i = 0; i < 900; i++) {
      const ai = Math.floor(rand() * accountIds.length);
      const meta = accountMeta[ai];
      const seg = SEGMENTS[meta.line];
      const created = new Date(now.getTime() - between(5, 545) * DAY);
      const cycle = between(45, 200);
      const closeDate = new Date(created.getTime() + cycle * DAY);
      const amount = Math.round(between(...seg.amount) / 10000) * 10000;
      const touches = 3 + Math.floor(rand() * 6);
      let stage: Stage;
      if (closeDate.getTime() < now.getTime() - 10 * DAY)
        stage = rand() < winChance(ai, amount, touches) ? DEFAULT_STAGES[5] : DEFAULT_STAGES[6];
      else {
        const progress = Math.min(0.99, (now.getTime() - created.getTime()) / (cycle * DAY));
        stage = DEFAULT_STAGES[Math.min(4, Math.floor(progress * 5 + rand() * 0.8))];
      }
      // Deals slip: a closed deal was expected some weeks before (or after) it really closed.
      const expected =
        stage.kind === 'open'
          ? closeDate < now
            ? new Date(now.getTime() + between(10, 90) * DAY)
            : closeDate
          : new Date(closeDate.getTime() - between(-15, 45) * DAY);
      const product = pick(productIds[meta.line]);
      const productName = seg.products[productIds[meta.line].indexOf(product)];
      oppRows.push({
        name: `${accountRows[ai].aliases && (accountRows[ai].aliases as string[])[0]} ${productName}${pick(['项目', '采购', '二期', '扩容', '替换'])}`,
        account_id: accountIds[ai],
        pipeline_id: pipeline.id,
        stage: stage.key,
        status: stage.kind,
        amount,
        currency: 'CNY',
        expected_close_date: expected.toISOString().slice(0, 10),
        probability: stage.probability,
        owner_id: userIds.get(meta.owner),
        team_id: teamIds.get(teamOfRep[meta.owner]),
        region_id: regionIds.get(meta.region),
        product_ids: [product],
        close_reason:
          stage.kind === 'won'
            ? pick(['技术方案领先', '交付周期有优势', '客户关系深入'])
            : stage.kind === 'lost'
              ? pick(['价格高于竞品', '客户预算取消', '竞品已有合作关系', '技术指标未达要求'])
              : null,
        closed_at: stage.kind === 'open' ? null : closeDate,
        stage_changed_at: new Date(Math.min(now.getTime(), created.getTime() + cycle * DAY * 0.7)),
        created_at: created,
        updated_at: new Date(Math.min(now.getTime(), closeDate.getTime())),
      });
      oppMeta.push({
        accountIdx: ai,
        created,
        closeDate: stage.kind === 'open' ? now : closeDate,
        status: stage.kind,
        touches,
      });
    }
    const oppIds = await opportunityService.bulkInsert(tx, ctx, oppRows, { method: 'seed' });

    // Activities: 3–8 per opportunity between creation and close.
    const activityRows: Record<string, unknown>[] = [];
    oppIds.forEach((oppId, oi) => {
      const m = oppMeta[oi];
      const n = m.touches;
      const contactsHere = contactsOfAccount.get(accountIds[m.accountIdx]) ?? [];
      for (let k = 0; k < n; k++) {
        const type = pick(['call', 'meeting', 'visit', 'email', 'note', 'call', 'email']);
        const at = new Date(
          m.created.getTime() + rand() * Math.max(DAY, m.closeDate.getTime() - m.created.getTime()),
        );
        // Working hours in China (UTC+8): 09:00–18:00.
        at.setUTCHours(1 + Math.floor(rand() * 9), Math.floor(rand() * 4) * 15, 0, 0);
        activityRows.push({
          type,
          subject: `${{ call: '电话', meeting: '会议', visit: '拜访', email: '邮件', note: '备注' }[type]}：${pick(ACTIVITY_TEXT[type]).slice(0, 18)}`,
          body: pick(ACTIVITY_TEXT[type]),
          occurred_at: at,
          duration_minutes:
            type === 'meeting' || type === 'visit'
              ? 60 + Math.floor(rand() * 120)
              : type === 'call'
                ? 10 + Math.floor(rand() * 30)
                : null,
          status: at > now ? 'planned' : 'done',
          account_id: accountIds[m.accountIdx],
          opportunity_id: oppId,
          contact_ids: contactsHere.length ? [contactIds[pick(contactsHere)]] : [],
          owner_id: oppRows[oi].owner_id,
          created_at: at,
        });
      }
    });
    // A few upcoming tasks for each rep's "my tasks".
    for (const rep of ['王芳', '李强', '张伟', '刘洋', '陈静', '杨磊']) {
      for (let k = 0; k < 3; k++) {
        const oi = Math.floor(rand() * oppIds.length);
        activityRows.push({
          type: 'task',
          subject: pick(['准备技术澄清材料', '安排财务部拜访', '提交报价审批', '整理客户需求清单']),
          body: null,
          occurred_at: new Date(now.getTime() + between(1, 14) * DAY),
          status: 'planned',
          account_id: accountIds[oppMeta[oi].accountIdx],
          opportunity_id: oppIds[oi],
          contact_ids: [],
          owner_id: userIds.get(rep),
          created_at: now,
        });
      }
    }
    const activityIds = await activityService.bulkInsert(tx, ctx, activityRows, { method: 'seed' });

    return {
      tenant: tenantName,
      created: true,
      users: people.length,
      accounts: accountIds.length,
      contacts: contactIds.length,
      opportunities: oppIds.length,
      activities: activityIds.length,
    };
  });
}

/**
 * The privacy part of the demo (issue 13 item 9): two privacy notice versions, consent spread over
 * the demo contacts with weeks of history (the dashboard shows the rate climbing once customers
 * could decide for themselves in the portal), portal-enabled demo contacts with known e-mail
 * addresses, one restricted person, a few customer corrections made through the portal, and open
 * privacy cases — one close to its legal deadline.
 *
 * Called once after the CRM demo is seeded (see seedDemo in crm/demo-seed.ts); does nothing when
 * the tenant already has a privacy notice.
 */
import { eq, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/change-log.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import type { Database, Tx } from '../../platform/db/database.js';
import { activityService, contactService } from '../crm/crm.service.js';
import { openCase } from './sovereignty-cases.service.js';
import { consentEvents, privacyNotices } from './sovereignty-consent.schema.js';
import { PURPOSES, type Purpose, restrictProcessing } from './sovereignty-consent.service.js';

/** Demo contacts who can sign in to the portal (/portal): the code is mailed to these addresses. */
export const DEMO_PORTAL_CONTACTS = [
  { name: '林晓雯', name_en: 'Xiaowen Lin', email: 'lin.xiaowen@demo-customer.cn', title: '信息中心主任' },
  { name: '周艾玛', name_en: 'Emma Zhou', email: 'emma.zhou@demo-customer.cn', title: '采购经理' },
] as const;

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** Share of people who end up granting each purpose (the demo's "after the portal" state). */
const FINAL_RATE: Record<Purpose, number> = {
  marketing_email: 0.95,
  profiling: 0.96,
  partner_sharing: 0.8,
  call_recording: 0.88,
};
/** …and who had granted it when the CRM imported them, before anyone could see and decide. */
const IMPORTED_RATE: Record<Purpose, number> = {
  marketing_email: 0.41,
  profiling: 0.7,
  partner_sharing: 0.3,
  call_recording: 0.38,
};

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

const NOTICE_V1 = {
  title_zh: '隐私政策（2026 年版）',
  title_en: 'Privacy notice (2026)',
  text_zh:
    '我们在与贵公司开展业务往来时处理您的姓名、联系方式、职务及往来记录，用于客户关系管理。\n' +
    '经您同意，我们会向您发送营销邮件、对通话进行录音，或将联系方式提供给合作伙伴；您可以随时撤回同意。\n' +
    '我们会根据往来记录生成线索评分，您可以随时拒绝此类自动化处理。\n' +
    '您可以通过客户自助门户查询、更正、导出或删除您的个人信息。',
  text_en:
    'We process your name, contact details, title and our interactions to manage our business relationship with your company.\n' +
    'With your consent we send marketing e-mail, record calls, or share your details with partners; you can withdraw at any time.\n' +
    'We compute lead scores from our interactions; you can refuse this automated processing at any time.\n' +
    'In the customer portal you can see, correct, export or delete your personal data.',
};
const NOTICE_V2 = {
  title_zh: '隐私政策（2026 年修订版）',
  title_en: 'Privacy notice (2026, revised)',
  text_zh: `${NOTICE_V1.text_zh}\n新增：话术改写会使用大模型服务，不发送未同意画像与 AI 评分的联系人信息。`,
  text_en: `${NOTICE_V1.text_en}\nNew: talk-track rewrites use an LLM service; nothing about people who refused profiling is sent.`,
};

export interface PrivacyDemoSummary {
  created: boolean;
  notices: number;
  consent_events: number;
  portal_contacts: string[];
  cases: number;
}

async function insertNotice(
  tx: Tx,
  ctx: ActorContext,
  version: number,
  text: typeof NOTICE_V1,
  publishedAt: Date,
): Promise<string> {
  const [row] = await tx
    .insert(privacyNotices)
    .values({
      tenant_id: ctx.tenantId,
      version,
      ...text,
      status: 'published',
      published_at: publishedAt,
      published_by_name: ctx.actorName,
      created_by_name: ctx.actorName,
      created_at: new Date(publishedAt.getTime() - DAY),
      updated_at: publishedAt,
    })
    .returning({ id: privacyNotices.id });
  await recordChange(tx, ctx, 'privacy_notices', row.id, 'create', {
    version: { old: null, new: version },
    status: { old: null, new: 'published' },
  });
  return row.id;
}

/** Every contact of the tenant (id, account), in the CRM's order. */
async function allContacts(tx: Tx, ctx: ActorContext) {
  const out: { id: string; account_id: string | null }[] = [];
  let cursor: string | undefined;
  do {
    const page = await contactService.list(tx, ctx, { limit: 500, cursor, sort: 'created_at' });
    for (const r of page.data)
      out.push({ id: String(r.id), account_id: typeof r.account_id === 'string' ? r.account_id : null });
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * Seeds the privacy demo into a tenant that has the CRM demo (accounts and contacts). Idempotent:
 * a tenant with a privacy notice is left alone.
 */
export async function seedPrivacyDemo(
  database: Database,
  tenantId: string,
  now = new Date(),
): Promise<PrivacyDemoSummary> {
  return database.tenantTx(tenantId, async (tx) => {
    const [{ n }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(privacyNotices)
      .where(eq(privacyNotices.tenant_id, tenantId));
    if (Number(n) > 0)
      return { created: false, notices: Number(n), consent_events: 0, portal_contacts: [], cases: 0 };
    const ctx = systemContext(tenantId, 'seed', '演示数据');
    const rand = rng(20261201);
    const t0 = now.getTime();
    const v1At = new Date(t0 - 16 * WEEK);
    const v2At = new Date(t0 - 6 * WEEK);
    const v1 = await insertNotice(tx, ctx, 1, NOTICE_V1, v1At);
    const v2 = await insertNotice(tx, ctx, 2, NOTICE_V2, v2At);
    const noticeAt = (at: number) => (at >= v2At.getTime() ? v2 : v1);

    // Portal-enabled demo contacts on the first account, with a meeting that involves them.
    const contacts = await allContacts(tx, ctx);
    const accountId = contacts.find((c) => c.account_id)?.account_id ?? null;
    const portalIds: string[] = [];
    for (const p of DEMO_PORTAL_CONTACTS) {
      const row = await contactService.create(
        tx,
        ctx,
        {
          name: p.name,
          name_en: p.name_en,
          emails: [p.email],
          title: p.title,
          account_id: accountId,
          created_at: new Date(t0 - 20 * WEEK),
        },
        { method: 'seed' },
      );
      portalIds.push(String(row.id));
    }
    if (accountId)
      await activityService.create(
        tx,
        ctx,
        {
          type: 'meeting',
          subject: '年度合作回顾与新需求沟通',
          occurred_at: new Date(t0 - 9 * DAY),
          account_id: accountId,
          contact_ids: portalIds,
        },
        { method: 'seed' },
      );

    // Consent histories: imported decisions 16 weeks ago, then most people decide again (largely
    // through the portal) over the last 10 weeks.
    const everyone = [...contacts.map((c) => c.id), ...portalIds];
    const rows: (typeof consentEvents.$inferInsert)[] = [];
    for (const contactId of everyone) {
      for (const p of PURPOSES) {
        const key = p.key as Purpose;
        const importedAt = v1At.getTime() + rand() * 5 * DAY;
        const imported = rand() < IMPORTED_RATE[key];
        rows.push({
          tenant_id: tenantId,
          contact_id: contactId,
          purpose: key,
          granted: imported,
          notice_version_id: v1,
          channel: 'import',
          actor_type: 'system',
          actor_name: '演示数据',
          at: new Date(importedAt),
        });
        if (rand() < 0.85) {
          const at = t0 - rand() * 10 * WEEK;
          const r = rand();
          const channel = r < 0.7 ? 'portal' : r < 0.9 ? 'staff' : 'webform';
          rows.push({
            tenant_id: tenantId,
            contact_id: contactId,
            purpose: key,
            granted: rand() < FINAL_RATE[key],
            notice_version_id: noticeAt(at),
            channel,
            actor_type: channel === 'portal' ? 'customer' : 'system',
            actor_name: channel === 'portal' ? '联系人本人' : channel === 'staff' ? '王芳' : '官网表单',
            at: new Date(at),
          });
        }
      }
    }
    // The two portal contacts have clear, recent choices the README can point at.
    for (const [i, contactId] of portalIds.entries())
      for (const p of PURPOSES)
        rows.push({
          tenant_id: tenantId,
          contact_id: contactId,
          purpose: p.key,
          granted: i === 0 ? p.key !== 'partner_sharing' : p.key === 'profiling',
          notice_version_id: v2,
          channel: 'portal',
          actor_type: 'customer',
          actor_name: DEMO_PORTAL_CONTACTS[i].name,
          at: new Date(t0 - (3 + i) * DAY),
        });
    for (let i = 0; i < rows.length; i += 1000)
      await tx.insert(consentEvents).values(rows.slice(i, i + 1000));

    // A few corrections customers made through the portal (the dashboard's "contributed" count).
    const customer = (name: string): ActorContext => ({
      ...systemContext(tenantId, 'portal', name),
      actorType: 'customer',
    });
    for (const [i, c] of contacts.slice(0, 6).entries())
      await contactService.update(
        tx,
        customer('联系人本人'),
        c.id,
        { department: ['信息中心', '采购部', '财务部'][i % 3] },
        { method: 'manual', reason: 'corrected by the customer through the portal' },
      );

    // One person asked to restrict processing while a correction is checked.
    if (contacts[6])
      await restrictProcessing(tx, ctx, {
        contactId: contacts[6].id,
        reason: '对方对职务信息的准确性提出异议，核实期间限制处理',
      });

    // Open privacy cases: one close to its deadline (GDPR, received almost a month ago).
    let cases = 0;
    const caseCtx = systemContext(tenantId, 'seed', '演示数据');
    const open = async (input: Parameters<typeof openCase>[2]) => {
      await openCase(tx, caseCtx, input);
      cases++;
    };
    const monthAgo = new Date(t0);
    monthAgo.setUTCMonth(monthAgo.getUTCMonth() - 1);
    await open({
      kind: 'erasure',
      contactId: contacts[7]?.id ?? portalIds[1],
      channel: 'email',
      regime: 'gdpr',
      details: '对方邮件要求删除其全部个人信息（已离职）。',
      identityVerified: true,
      receivedAt: new Date(monthAgo.getTime() + 2 * DAY),
    });
    await open({
      kind: 'access',
      contactId: portalIds[0],
      channel: 'portal',
      regime: 'pipl',
      details: '通过自助门户申请查阅我方持有的全部个人信息。',
      identityVerified: true,
      receivedAt: new Date(t0 - 2 * DAY),
    });
    await open({
      kind: 'rectification',
      contactId: contacts[8]?.id ?? portalIds[1],
      channel: 'letter',
      regime: 'pipl',
      details: '来函要求更正手机号码，附身份证明复印件待核验。',
      receivedAt: new Date(t0 - 6 * DAY),
    });
    return {
      created: true,
      notices: 2,
      consent_events: rows.length,
      portal_contacts: DEMO_PORTAL_CONTACTS.map((p) => p.email),
      cases,
    };
  });
}

/**
 * Consent per purpose, privacy notice versions and restrictions of processing.
 *
 * A person's consent to a purpose is an append-only history (consent_events): every grant and
 * withdrawal with the notice version agreed to, the channel (portal | staff | import | webform),
 * who recorded it and when. The current state is the newest event; with none, the purpose's
 * default applies (see PURPOSES: what the law expects without a recorded decision).
 *
 * Defaults. PIPL has no "legitimate interest" basis (Art. 13); consent is the basis for what is
 * not needed to serve the customer, and providing data to another handler needs separate consent
 * (Art. 23). So marketing e-mail (also 广告法 Art. 43), partner sharing and call recording are
 * opt-in: denied until granted. Profiling and AI scoring of business contacts is the CRM's core
 * processing of the customer relationship, disclosed in the notice, and PIPL Art. 24 asks for a
 * convenient way to refuse automated decision-making and personalised treatment (and GDPR Art. 21
 * the right to object): allowed until the person withdraws it, and then enforced everywhere (no
 * score is computed or kept). A tenant that wants opt-in for profiling records withdrawals at
 * import (channel import) — the gate honours whatever is recorded.
 *
 * A restriction of processing (GDPR Art. 18, PIPL Art. 44) keeps the data but denies every
 * purpose and keeps the person out of exports, webhooks and other systems.
 */
import { and, asc, desc, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import { changeLog } from '../../platform/audit/audit.schema.js';
import { recordChange } from '../../platform/audit/change-log.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { emitEvent } from '../../platform/events/event-bus.js';
import { conflict, notFound, unprocessable } from '../../platform/http/problem.js';
import type { ConsentAnswerer } from '../../platform/privacy/consent-gate.js';
import { contactService } from '../crm/crm.service.js';
import { consentEvents, privacyNotices, processingRestrictions } from './sovereignty-consent.schema.js';

type Text = { en: string; zh: string };

export interface PurposeDef {
  key: string;
  label: Text;
  description: Text;
  /** true: denied until the person grants it (opt-in); false: allowed until withdrawn (opt-out). */
  requiresConsent: boolean;
  /** The legal basis as shown in the record of processing. */
  basis: Text;
  /** Data categories this purpose uses (record of processing). */
  dataCategories: Text[];
  /** Who receives data for it (record of processing). */
  recipients: Text[];
  retention: Text;
  /** Where the product asks the gate for it today. */
  enforcedAt: string[];
}

/** The fixed catalogue of purposes a person consents to (or not), in display order. */
export const PURPOSES = [
  {
    key: 'marketing_email',
    label: { en: 'Marketing e-mail', zh: '营销邮件' },
    description: {
      en: 'Newsletters, event invitations and product offers by e-mail.',
      zh: '通过邮件向您发送资讯、活动邀请和产品优惠。',
    },
    requiresConsent: true,
    basis: {
      en: 'Consent (PIPL Art. 13(1); Advertising Law Art. 43; GDPR Art. 6(1)(a))',
      zh: '个人同意（《个人信息保护法》第十三条第一项；《广告法》第四十三条）',
    },
    dataCategories: [
      { en: 'Name and e-mail address', zh: '姓名、邮箱' },
      { en: 'Company and title', zh: '所在公司、职务' },
    ],
    recipients: [{ en: 'Our marketing staff and mail service', zh: '本公司市场人员及邮件发送服务' }],
    retention: {
      en: 'Until consent is withdrawn; the consent record itself 3 years after',
      zh: '至撤回同意为止；同意记录本身在撤回后保留 3 年',
    },
    enforcedAt: ['marketing deliverables and plays (not built yet: they will ask the gate)'],
  },
  {
    key: 'profiling',
    label: { en: 'Profiling and AI scoring', zh: '画像与 AI 评分' },
    description: {
      en: 'Lead scores, buying roles and AI-written talk tracks built from your profile and interactions.',
      zh: '根据您的资料和往来记录生成线索评分、采购角色判断，以及由 AI 撰写的沟通话术。',
    },
    requiresConsent: false,
    basis: {
      en: 'Managing the business relationship, with a right to refuse automated decisions (PIPL Art. 24; GDPR Art. 6(1)(f), Art. 21)',
      zh: '维护业务往来关系所必需，您可随时拒绝自动化决策（《个人信息保护法》第二十四条）',
    },
    dataCategories: [
      { en: 'Profile: title, department, buying role, stance', zh: '资料：职务、部门、采购角色、态度' },
      { en: 'Interactions: activities and signals', zh: '往来：活动记录和信号' },
    ],
    recipients: [
      { en: 'Our sales staff', zh: '本公司销售人员' },
      {
        en: 'The configured LLM provider (talk-track rewrite), when enabled',
        zh: '已配置的大模型服务（话术改写，启用时）',
      },
    ],
    retention: {
      en: 'Scores are recomputed daily; none is kept after withdrawal',
      zh: '评分每日重算；撤回后不再保留任何评分',
    },
    enforcedAt: ['predict: lead score (compute, store, read)', 'interventions: LLM talk-track rewrite'],
  },
  {
    key: 'partner_sharing',
    label: { en: 'Sharing with partners', zh: '与合作伙伴共享' },
    description: {
      en: 'Passing your contact details to our resellers and implementation partners.',
      zh: '将您的联系方式提供给我们的经销商和实施合作伙伴。',
    },
    requiresConsent: true,
    basis: {
      en: 'Separate consent (PIPL Art. 23; GDPR Art. 6(1)(a))',
      zh: '单独同意（《个人信息保护法》第二十三条）',
    },
    dataCategories: [
      { en: 'Name, e-mail, phone', zh: '姓名、邮箱、电话' },
      { en: 'Company and title', zh: '所在公司、职务' },
    ],
    recipients: [{ en: 'Resellers and implementation partners', zh: '经销商及实施合作伙伴' }],
    retention: {
      en: 'Until consent is withdrawn; partners are told to delete',
      zh: '至撤回同意为止；撤回后通知合作伙伴删除',
    },
    enforcedAt: ['connectors and partner exports (not built yet: they will ask the gate)'],
  },
  {
    key: 'call_recording',
    label: { en: 'Call recording', zh: '通话录音' },
    description: {
      en: 'Recording and transcribing calls and meetings with you.',
      zh: '对与您的电话和会议进行录音及转写。',
    },
    requiresConsent: true,
    basis: {
      en: 'Consent (PIPL Art. 13(1), Art. 14; GDPR Art. 6(1)(a))',
      zh: '个人同意（《个人信息保护法》第十三条第一项、第十四条）',
    },
    dataCategories: [{ en: 'Voice recordings and transcripts', zh: '通话录音及转写文本' }],
    recipients: [{ en: 'Our sales and service staff', zh: '本公司销售和服务人员' }],
    retention: { en: '1 year after the call', zh: '通话后保留 1 年' },
    enforcedAt: ['call recording import (not built yet: it will ask the gate)'],
  },
] as const satisfies readonly PurposeDef[];

export type Purpose = (typeof PURPOSES)[number]['key'];
export const PURPOSE_KEYS = PURPOSES.map((p) => p.key) as [Purpose, ...Purpose[]];
export const CHANNELS = ['portal', 'staff', 'import', 'webform'] as const;
export type ConsentChannel = (typeof CHANNELS)[number];

export function purposeOf(key: string): PurposeDef {
  const p = PURPOSES.find((x) => x.key === key);
  if (!p)
    throw unprocessable('Unknown purpose', [
      { field: 'purpose', reason: `one of ${PURPOSE_KEYS.join(', ')}` },
    ]);
  return p;
}

// ---------- privacy notices ----------

export type NoticeRow = typeof privacyNotices.$inferSelect;

export function presentNotice(n: NoticeRow) {
  return {
    id: n.id,
    version: n.version,
    title_zh: n.title_zh,
    title_en: n.title_en,
    text_zh: n.text_zh,
    text_en: n.text_en,
    status: n.status as 'draft' | 'published',
    published_at: n.published_at ? n.published_at.toISOString() : null,
    published_by_name: n.published_by_name,
    created_by_name: n.created_by_name,
    created_at: n.created_at.toISOString(),
    updated_at: n.updated_at.toISOString(),
  };
}
export type NoticeOut = ReturnType<typeof presentNotice>;

/** The tenant's current privacy notice: its newest published version (null when none is). */
export async function currentNotice(tx: Tx, tenantId: string): Promise<NoticeOut | null> {
  const [n] = await tx
    .select()
    .from(privacyNotices)
    .where(and(eq(privacyNotices.tenant_id, tenantId), eq(privacyNotices.status, 'published')))
    .orderBy(desc(privacyNotices.version))
    .limit(1);
  return n ? presentNotice(n) : null;
}

export async function listNotices(tx: Tx, tenantId: string): Promise<NoticeOut[]> {
  const rows = await tx
    .select()
    .from(privacyNotices)
    .where(eq(privacyNotices.tenant_id, tenantId))
    .orderBy(desc(privacyNotices.version));
  return rows.map(presentNotice);
}

async function noticeRow(tx: Tx, tenantId: string, id: string): Promise<NoticeRow> {
  const [n] = await tx
    .select()
    .from(privacyNotices)
    .where(and(eq(privacyNotices.tenant_id, tenantId), eq(privacyNotices.id, id)));
  if (!n) throw notFound('Privacy notice');
  return n;
}

export async function getNotice(tx: Tx, tenantId: string, id: string): Promise<NoticeOut> {
  return presentNotice(await noticeRow(tx, tenantId, id));
}

export interface NoticeInput {
  title_zh: string;
  title_en: string;
  text_zh: string;
  text_en: string;
}

/** A new draft version (the next number); `publish` makes it the current notice at once. */
export async function createNotice(
  tx: Tx,
  ctx: ActorContext,
  input: NoticeInput & { publish?: boolean },
): Promise<NoticeOut> {
  // One version number at a time per tenant (two admins creating at once get 1 and 2).
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('privacy_notices'), hashtext(${ctx.tenantId}))`);
  const [{ max }] = await tx
    .select({ max: sql<number | null>`max(${privacyNotices.version})` })
    .from(privacyNotices)
    .where(eq(privacyNotices.tenant_id, ctx.tenantId));
  const [row] = await tx
    .insert(privacyNotices)
    .values({
      tenant_id: ctx.tenantId,
      version: Number(max ?? 0) + 1,
      title_zh: input.title_zh,
      title_en: input.title_en,
      text_zh: input.text_zh,
      text_en: input.text_en,
      created_by: ctx.actorType === 'user' ? ctx.actorId : null,
      created_by_name: ctx.actorName,
    })
    .returning();
  await recordChange(tx, ctx, 'privacy_notices', row.id, 'create', {
    version: { old: null, new: row.version },
    title_zh: { old: null, new: row.title_zh },
    title_en: { old: null, new: row.title_en },
  });
  return input.publish ? publishNotice(tx, ctx, row.id) : presentNotice(row);
}

/** Changes a draft; a published version is immutable. */
export async function updateNotice(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  input: Partial<NoticeInput>,
): Promise<NoticeOut> {
  const n = await noticeRow(tx, ctx.tenantId, id);
  if (n.status === 'published')
    throw conflict('A published privacy notice cannot be changed: create a new version');
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  const values: Partial<NoticeInput> = {};
  for (const k of ['title_zh', 'title_en', 'text_zh', 'text_en'] as const) {
    const v = input[k];
    if (v !== undefined && v !== n[k]) {
      values[k] = v;
      changes[k] = { old: n[k], new: v };
    }
  }
  if (Object.keys(values).length === 0) return presentNotice(n);
  const [row] = await tx
    .update(privacyNotices)
    .set({ ...values, updated_at: new Date() })
    .where(and(eq(privacyNotices.tenant_id, ctx.tenantId), eq(privacyNotices.id, id)))
    .returning();
  await recordChange(tx, ctx, 'privacy_notices', id, 'update', changes);
  return presentNotice(row);
}

/** Publishes a draft: from now on it is the current notice people agree to. */
export async function publishNotice(tx: Tx, ctx: ActorContext, id: string): Promise<NoticeOut> {
  const n = await noticeRow(tx, ctx.tenantId, id);
  if (n.status === 'published') throw conflict('This privacy notice version is already published');
  const current = await currentNotice(tx, ctx.tenantId);
  if (current && current.version > n.version)
    throw conflict('A newer version is already published: create a new version instead');
  const [row] = await tx
    .update(privacyNotices)
    .set({
      status: 'published',
      published_at: new Date(),
      published_by_name: ctx.actorName,
      updated_at: new Date(),
    })
    .where(and(eq(privacyNotices.tenant_id, ctx.tenantId), eq(privacyNotices.id, id)))
    .returning();
  await recordChange(tx, ctx, 'privacy_notices', id, 'update', {
    status: { old: 'draft', new: 'published' },
  });
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: 'privacy_notices.published',
    entity: 'privacy_notices',
    entityId: id,
    payload: { id, version: row.version, published_at: row.published_at?.toISOString() ?? null },
  });
  return presentNotice(row);
}

// ---------- consent ----------

export type ConsentEventRow = typeof consentEvents.$inferSelect;

export interface ConsentState {
  purpose: Purpose;
  label: Text;
  description: Text;
  /** Whether the purpose may be used now (the recorded decision, else the default; false when restricted). */
  granted: boolean;
  /** recorded: the person's (or staff's) decision; default: none recorded, the purpose's default applies. */
  basis: 'recorded' | 'default';
  requires_consent: boolean;
  notice_version_id: string | null;
  notice_version: number | null;
  channel: ConsentChannel | null;
  actor_name: string | null;
  at: string | null;
}

export function presentConsentEvent(e: ConsentEventRow, versions: Map<string, number>) {
  return {
    id: e.id,
    contact_id: e.contact_id,
    purpose: e.purpose as Purpose,
    granted: e.granted,
    notice_version_id: e.notice_version_id,
    notice_version: e.notice_version_id ? (versions.get(e.notice_version_id) ?? null) : null,
    channel: e.channel as ConsentChannel,
    actor_type: e.actor_type,
    actor_name: e.actor_name,
    note: e.note,
    at: e.at.toISOString(),
  };
}
export type ConsentEventOut = ReturnType<typeof presentConsentEvent>;

async function noticeVersions(tx: Tx, tenantId: string): Promise<Map<string, number>> {
  const rows = await tx
    .select({ id: privacyNotices.id, version: privacyNotices.version })
    .from(privacyNotices)
    .where(eq(privacyNotices.tenant_id, tenantId));
  return new Map(rows.map((r) => [r.id, r.version]));
}

/** The person's consent history, newest first (optionally one purpose). */
export async function consentHistory(
  tx: Tx,
  tenantId: string,
  contactId: string,
  purpose?: Purpose,
): Promise<ConsentEventOut[]> {
  const rows = await tx
    .select()
    .from(consentEvents)
    .where(
      and(
        eq(consentEvents.tenant_id, tenantId),
        eq(consentEvents.contact_id, contactId),
        purpose ? eq(consentEvents.purpose, purpose) : undefined,
      ),
    )
    .orderBy(desc(consentEvents.at), desc(consentEvents.id));
  const versions = await noticeVersions(tx, tenantId);
  return rows.map((r) => presentConsentEvent(r, versions));
}

/** The person's current state of every purpose (catalogue order). */
export async function consentsOf(tx: Tx, tenantId: string, contactId: string): Promise<ConsentState[]> {
  const history = await consentHistory(tx, tenantId, contactId);
  const restricted = await isRestricted(tx, tenantId, contactId);
  return PURPOSES.map((p) => {
    const last = history.find((h) => h.purpose === p.key);
    const granted = last ? last.granted : !p.requiresConsent;
    return {
      purpose: p.key,
      label: p.label,
      description: p.description,
      granted: granted && !restricted,
      basis: last ? 'recorded' : 'default',
      requires_consent: p.requiresConsent,
      notice_version_id: last?.notice_version_id ?? null,
      notice_version: last?.notice_version ?? null,
      channel: last?.channel ?? null,
      actor_name: last?.actor_name ?? null,
      at: last?.at ?? null,
    };
  });
}

export interface SetConsentInput {
  contactId: string;
  purpose: string;
  granted: boolean;
  /** The notice version agreed to; omitted = the current one. A grant needs a published notice. */
  noticeVersionId?: string | null;
  channel: ConsentChannel;
  note?: string | null;
  /** Backdated history (demo seed, imports of earlier consents); default now. */
  at?: Date;
}

/**
 * Records a grant or withdrawal (append-only), audited in the change log, and emits
 * `consents.changed` (predict drops a withdrawn person's lead score on it). Repeating the current
 * state with the same notice version records nothing and returns the current event.
 */
export async function setConsent(
  tx: Tx,
  ctx: ActorContext,
  input: SetConsentInput,
): Promise<ConsentEventOut> {
  const purpose = purposeOf(input.purpose);
  const contact = await contactService.find(tx, systemContext(ctx.tenantId), input.contactId);
  if (!contact) throw notFound('Contact');
  let noticeId = input.noticeVersionId ?? null;
  if (noticeId) {
    const n = await noticeRow(tx, ctx.tenantId, noticeId).catch(() => null);
    if (n?.status !== 'published')
      throw unprocessable('Not a published privacy notice of this organisation', [
        { field: 'notice_version_id', reason: 'a published notice version' },
      ]);
  } else {
    noticeId = (await currentNotice(tx, ctx.tenantId))?.id ?? null;
    if (!noticeId && input.granted)
      throw conflict('No privacy notice is published yet: publish one before recording consent');
  }
  const [last] = await tx
    .select()
    .from(consentEvents)
    .where(
      and(
        eq(consentEvents.tenant_id, ctx.tenantId),
        eq(consentEvents.contact_id, input.contactId),
        eq(consentEvents.purpose, purpose.key),
      ),
    )
    .orderBy(desc(consentEvents.at), desc(consentEvents.id))
    .limit(1);
  const versions = await noticeVersions(tx, ctx.tenantId);
  if (last && last.granted === input.granted && last.notice_version_id === noticeId && !input.at)
    return presentConsentEvent(last, versions);
  const [row] = await tx
    .insert(consentEvents)
    .values({
      tenant_id: ctx.tenantId,
      contact_id: input.contactId,
      purpose: purpose.key,
      granted: input.granted,
      notice_version_id: noticeId,
      channel: input.channel,
      actor_type: ctx.actorType,
      actor_id: ctx.actorId,
      actor_name: ctx.actorName,
      note: input.note ?? null,
      ...(input.at ? { at: input.at } : {}),
    })
    .returning();
  const was = last ? last.granted : !purpose.requiresConsent;
  await recordChange(tx, ctx, 'consent_events', row.id, 'create', {
    contact_id: { old: null, new: input.contactId },
    [purpose.key]: { old: was, new: input.granted },
    notice_version_id: { old: last?.notice_version_id ?? null, new: noticeId },
    channel: { old: null, new: input.channel },
  });
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: 'consents.changed',
    entity: 'contacts',
    entityId: input.contactId,
    payload: {
      contact_id: input.contactId,
      purpose: purpose.key,
      granted: input.granted,
      notice_version_id: noticeId,
      channel: input.channel,
      at: row.at.toISOString(),
    },
  });
  return presentConsentEvent(row, versions);
}

/** Of these contacts, those whose newest decision for the purpose is this (true/false). */
async function latestDecisions(
  tx: Tx,
  tenantId: string,
  contactIds: readonly string[],
  purpose: string,
): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  for (let i = 0; i < contactIds.length; i += 5000) {
    const chunk = contactIds.slice(i, i + 5000);
    const rows = await tx
      .selectDistinctOn([consentEvents.contact_id], {
        contact_id: consentEvents.contact_id,
        granted: consentEvents.granted,
      })
      .from(consentEvents)
      .where(
        and(
          eq(consentEvents.tenant_id, tenantId),
          eq(consentEvents.purpose, purpose),
          inArray(consentEvents.contact_id, [...chunk]),
        ),
      )
      .orderBy(consentEvents.contact_id, desc(consentEvents.at), desc(consentEvents.id));
    for (const r of rows) out.set(r.contact_id, r.granted);
  }
  return out;
}

/**
 * Of these contacts, the ones whose data may NOT be used for the purpose: withdrawn, never granted
 * where the purpose is opt-in, or under a restriction of processing.
 */
export async function deniedFor(
  tx: Tx,
  tenantId: string,
  contactIds: readonly string[],
  purpose: string,
): Promise<Set<string>> {
  const p = purposeOf(purpose);
  const ids = [...new Set(contactIds)];
  if (ids.length === 0) return new Set();
  const decided = await latestDecisions(tx, tenantId, ids, p.key);
  const denied = new Set<string>();
  for (const id of ids) {
    const granted = decided.get(id) ?? !p.requiresConsent;
    if (!granted) denied.add(id);
  }
  for (const id of await restrictedAmong(tx, tenantId, ids)) denied.add(id);
  return denied;
}

// ---------- restriction of processing ----------

export type RestrictionRow = typeof processingRestrictions.$inferSelect;

export function presentRestriction(r: RestrictionRow) {
  return {
    id: r.id,
    contact_id: r.contact_id,
    reason: r.reason,
    case_id: r.case_id,
    set_by_name: r.set_by_name,
    set_at: r.set_at.toISOString(),
    lifted_at: r.lifted_at ? r.lifted_at.toISOString() : null,
    lifted_by_name: r.lifted_by_name,
    lift_reason: r.lift_reason,
  };
}
export type RestrictionOut = ReturnType<typeof presentRestriction>;

/** Of these contacts, the ones under an active restriction of processing. */
export async function restrictedAmong(
  tx: Tx,
  tenantId: string,
  contactIds: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  const ids = [...new Set(contactIds)];
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await tx
      .select({ contact_id: processingRestrictions.contact_id })
      .from(processingRestrictions)
      .where(
        and(
          eq(processingRestrictions.tenant_id, tenantId),
          isNull(processingRestrictions.lifted_at),
          inArray(processingRestrictions.contact_id, ids.slice(i, i + 5000)),
        ),
      );
    for (const r of rows) out.add(r.contact_id);
  }
  return out;
}

export async function isRestricted(tx: Tx, tenantId: string, contactId: string): Promise<boolean> {
  return (await restrictedAmong(tx, tenantId, [contactId])).has(contactId);
}

/** The active restriction of a contact, or null; and its history, newest first. */
export async function restrictionOf(tx: Tx, tenantId: string, contactId: string) {
  const rows = await tx
    .select()
    .from(processingRestrictions)
    .where(
      and(eq(processingRestrictions.tenant_id, tenantId), eq(processingRestrictions.contact_id, contactId)),
    )
    .orderBy(desc(processingRestrictions.set_at));
  const history = rows.map(presentRestriction);
  return { active: history.find((r) => !r.lifted_at) ?? null, history };
}

/** Restricts processing of a person's data (a restriction case, or staff); audited, emits an event. */
export async function restrictProcessing(
  tx: Tx,
  ctx: ActorContext,
  input: { contactId: string; reason: string; caseId?: string | null },
): Promise<RestrictionOut> {
  const contact = await contactService.find(tx, systemContext(ctx.tenantId), input.contactId);
  if (!contact) throw notFound('Contact');
  const { active } = await restrictionOf(tx, ctx.tenantId, input.contactId);
  if (active) return active;
  const [row] = await tx
    .insert(processingRestrictions)
    .values({
      tenant_id: ctx.tenantId,
      contact_id: input.contactId,
      reason: input.reason,
      case_id: input.caseId ?? null,
      set_by_name: ctx.actorName,
    })
    .returning();
  await recordChange(
    tx,
    ctx,
    'processing_restrictions',
    row.id,
    'create',
    { contact_id: { old: null, new: input.contactId }, restricted: { old: false, new: true } },
    { reason: input.reason },
  );
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: 'processing_restrictions.changed',
    entity: 'contacts',
    entityId: input.contactId,
    payload: { contact_id: input.contactId, restricted: true, case_id: row.case_id },
  });
  return presentRestriction(row);
}

/** Lifts the active restriction (staff, with a reason); audited, emits an event. */
export async function liftRestriction(
  tx: Tx,
  ctx: ActorContext,
  input: { contactId: string; reason: string },
): Promise<RestrictionOut> {
  const { active } = await restrictionOf(tx, ctx.tenantId, input.contactId);
  if (!active) throw conflict('Processing of this person is not restricted');
  const [row] = await tx
    .update(processingRestrictions)
    .set({ lifted_at: new Date(), lifted_by_name: ctx.actorName, lift_reason: input.reason })
    .where(and(eq(processingRestrictions.tenant_id, ctx.tenantId), eq(processingRestrictions.id, active.id)))
    .returning();
  await recordChange(
    tx,
    ctx,
    'processing_restrictions',
    row.id,
    'update',
    { restricted: { old: true, new: false } },
    { reason: input.reason },
  );
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: 'processing_restrictions.changed',
    entity: 'contacts',
    entityId: input.contactId,
    payload: { contact_id: input.contactId, restricted: false, case_id: row.case_id },
  });
  return presentRestriction(row);
}

/** The sovereignty module's answers to the platform's consent gate (registered at setup). */
export const consentAnswerer: ConsentAnswerer = {
  denied: deniedFor,
  restricted: restrictedAmong,
};

// ---------- erasure ----------

/**
 * For the erasure of a person: their consent history and restrictions. Kept as proof of consent
 * is not needed once the person is gone (nothing is processed any more), so the rows are deleted;
 * returns the rows touched per table.
 */
export async function eraseConsentData(tx: Tx, tenantId: string, contactId: string) {
  const events = await tx
    .delete(consentEvents)
    .where(and(eq(consentEvents.tenant_id, tenantId), eq(consentEvents.contact_id, contactId)))
    .returning({ id: consentEvents.id });
  const restrictions = await tx
    .delete(processingRestrictions)
    .where(
      and(eq(processingRestrictions.tenant_id, tenantId), eq(processingRestrictions.contact_id, contactId)),
    )
    .returning({ id: processingRestrictions.id });
  return [
    { table: 'consent_events', action: 'deleted' as const, rows: events.length },
    { table: 'processing_restrictions', action: 'deleted' as const, rows: restrictions.length },
  ];
}

// ---------- dashboard (R-5.6) ----------

const WEEK = 7 * 86_400_000;

/** Monday 00:00 UTC of the week t falls in. */
export function weekStart(t: Date): Date {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  const dow = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - dow * 86_400_000);
}

/**
 * The admin privacy dashboard: per purpose and week (ending now), of the people with a recorded
 * decision by the end of that week, how many had granted (the consent rate); and per week what
 * customers contributed through the portal: corrections (change log rows with source portal) and
 * preferences (consent decisions with channel portal).
 */
export async function privacyDashboard(tx: Tx, tenantId: string, opts: { weeks?: number; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const weeks = Math.min(104, Math.max(1, opts.weeks ?? 12));
  const firstWeek = new Date(weekStart(now).getTime() - (weeks - 1) * WEEK);
  const ends = Array.from({ length: weeks }, (_, i) => new Date(firstWeek.getTime() + (i + 1) * WEEK));
  const events = await tx
    .select({
      contact_id: consentEvents.contact_id,
      purpose: consentEvents.purpose,
      granted: consentEvents.granted,
      channel: consentEvents.channel,
      at: consentEvents.at,
    })
    .from(consentEvents)
    .where(eq(consentEvents.tenant_id, tenantId))
    .orderBy(asc(consentEvents.at), asc(consentEvents.id));
  const series = PURPOSES.map((p) => {
    const state = new Map<string, boolean>();
    const mine = events.filter((e) => e.purpose === p.key);
    let i = 0;
    const points = ends.map((end) => {
      while (i < mine.length && mine[i].at.getTime() < end.getTime()) {
        state.set(mine[i].contact_id, mine[i].granted);
        i++;
      }
      let granted = 0;
      for (const g of state.values()) if (g) granted++;
      const decided = state.size;
      return {
        week: new Date(end.getTime() - WEEK).toISOString().slice(0, 10),
        granted,
        withdrawn: decided - granted,
        rate: decided ? granted / decided : null,
      };
    });
    while (i < mine.length) {
      state.set(mine[i].contact_id, mine[i].granted);
      i++;
    }
    let granted = 0;
    for (const g of state.values()) if (g) granted++;
    return {
      purpose: p.key,
      label: p.label,
      requires_consent: p.requiresConsent,
      current: { granted, decided: state.size, rate: state.size ? granted / state.size : null },
      points,
    };
  });
  const corrections = await tx
    .select({ at: changeLog.at, entity: changeLog.entity })
    .from(changeLog)
    .where(
      and(
        eq(changeLog.tenant_id, tenantId),
        eq(changeLog.source, 'portal'),
        sql`${changeLog.entity} not in ('consent_events', 'processing_restrictions', 'privacy_notices')`,
        gte(changeLog.at, firstWeek),
      ),
    );
  const contributions = ends.map((end) => {
    const start = end.getTime() - WEEK;
    const inWeek = (t: Date) => t.getTime() >= start && t.getTime() < end.getTime();
    return {
      week: new Date(start).toISOString().slice(0, 10),
      corrections: corrections.filter((c) => inWeek(c.at)).length,
      preferences: events.filter((e) => e.channel === 'portal' && inWeek(e.at)).length,
    };
  });
  const [{ restricted }] = await tx
    .select({ restricted: sql<number>`count(*)::int` })
    .from(processingRestrictions)
    .where(and(eq(processingRestrictions.tenant_id, tenantId), isNull(processingRestrictions.lifted_at)));
  return {
    weeks: ends.map((e) => new Date(e.getTime() - WEEK).toISOString().slice(0, 10)),
    purposes: series,
    contributions,
    totals: {
      corrections: contributions.reduce((a, c) => a + c.corrections, 0),
      preferences: contributions.reduce((a, c) => a + c.preferences, 0),
      restricted: Number(restricted),
    },
    current_notice: await currentNotice(tx, tenantId),
  };
}

// ---------- record of processing (R-5.6) ----------

/** The processing the product does besides the consent purposes (always, to run the CRM). */
const CORE_PROCESSING: PurposeDef[] = [
  {
    key: 'customer_relationship',
    label: { en: 'Managing the customer relationship', zh: '客户关系管理' },
    description: {
      en: 'Contacts, accounts, opportunities and activities staff record to serve the customer.',
      zh: '销售和服务人员为服务客户而记录的联系人、客户、商机和活动。',
    },
    requiresConsent: false,
    basis: {
      en: 'Necessary for concluding and performing the contract (PIPL Art. 13(2); GDPR Art. 6(1)(b))',
      zh: '为订立、履行合同所必需（《个人信息保护法》第十三条第二项）',
    },
    dataCategories: [
      { en: 'Name, e-mail, phone, title, department', zh: '姓名、邮箱、电话、职务、部门' },
      { en: 'Activities: calls, meetings, e-mails, notes', zh: '活动：电话、会议、邮件、备注' },
    ],
    recipients: [
      { en: 'Our staff, by role and record sharing', zh: '本公司员工（按角色和记录共享权限）' },
      { en: 'Webhook endpoints and apps the administrators connect', zh: '管理员接入的 Webhook 地址和应用' },
    ],
    retention: {
      en: 'For the business relationship and 3 years after its end',
      zh: '业务往来期间及结束后 3 年',
    },
    enforcedAt: ['restriction: exports, webhooks'],
  },
  {
    key: 'signals',
    label: { en: 'Buying signals', zh: '购买信号' },
    description: {
      en: 'Website visits, e-mail replies and public notices matched to people and accounts.',
      zh: '与联系人和客户匹配的网站访问、邮件回复和公开公告等信号。',
    },
    requiresConsent: false,
    basis: {
      en: 'Managing the business relationship; publicly disclosed information within reason (PIPL Art. 13(6))',
      zh: '维护业务往来关系；在合理范围内处理已公开的信息（《个人信息保护法》第十三条第六项）',
    },
    dataCategories: [
      { en: 'Online behaviour on our sites, e-mail replies', zh: '在本公司网站上的行为、邮件回复' },
    ],
    recipients: [{ en: 'Our sales staff', zh: '本公司销售人员' }],
    retention: { en: '2 years', zh: '2 年' },
    enforcedAt: [],
  },
];

/** The record of processing activities (GDPR Art. 30; PIPL Art. 54/55 impact assessments draw on it). */
export function processingRecord(opts: { llmConfigured: boolean; noticeVersion: number | null }) {
  const core = new Set(CORE_PROCESSING.map((p) => p.key));
  const rows = [...CORE_PROCESSING, ...PURPOSES].map((p) => ({
    purpose: p.key,
    label: p.label,
    description: p.description,
    legal_basis: p.basis,
    consent: core.has(p.key)
      ? ('not_required' as const)
      : p.requiresConsent
        ? ('opt_in' as const)
        : ('opt_out' as const),
    data_categories: p.dataCategories,
    recipients: p.recipients.filter((r) => opts.llmConfigured || !r.en.includes('LLM')),
    retention: p.retention,
    enforced_at: [...p.enforcedAt],
  }));
  return {
    generated_at: new Date().toISOString(),
    notice_version: opts.noticeVersion,
    data_subjects: {
      en: 'Contacts of our business customers and prospects',
      zh: '企业客户及潜在客户的联系人',
    },
    activities: rows,
  };
}
export type ProcessingRecord = ReturnType<typeof processingRecord>;

/** The record as CSV (one line per activity; lists joined with "; "), in the language asked. */
export function processingRecordCsv(rec: ProcessingRecord, lang: 'en' | 'zh'): string {
  const head =
    lang === 'zh'
      ? ['用途', '名称', '说明', '法律依据', '同意方式', '个人信息类别', '接收方', '保存期限']
      : [
          'purpose',
          'name',
          'description',
          'legal basis',
          'consent',
          'data categories',
          'recipients',
          'retention',
        ];
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const words = {
    zh: { opt_in: '需明示同意', opt_out: '可随时拒绝', not_required: '无需同意' },
    en: { opt_in: 'opt-in', opt_out: 'opt-out', not_required: 'no consent needed' },
  } as const;
  const consent = (c: 'opt_in' | 'opt_out' | 'not_required') => words[lang][c];
  const lines = rec.activities.map((a) =>
    [
      a.purpose,
      a.label[lang],
      a.description[lang],
      a.legal_basis[lang],
      consent(a.consent),
      a.data_categories.map((d) => d[lang]).join('; '),
      a.recipients.map((d) => d[lang]).join('; '),
      a.retention[lang],
    ]
      .map(cell)
      .join(','),
  );
  return `\uFEFF${[head.join(','), ...lines].join('\r\n')}\r\n`;
}

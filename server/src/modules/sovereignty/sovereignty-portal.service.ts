import { randomInt, timingSafeEqual } from 'node:crypto';
import { and, count, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { fieldLineage, recordChange } from '../../platform/audit/change-log.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { ProblemError, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import type { PersonalDataProvider } from '../../platform/privacy/personal-data.js';
import { contactInput } from '../crm/crm.fields.js';
import { contactService } from '../crm/crm.service.js';
import { type ContactByEmail, contactsByIds, findContactsByEmail } from '../crm/crm-contact-lookup.js';
import { portalLogins, portalPreferences, portalSessions } from './sovereignty-portal.schema.js';
import { type Candidate, candidateSchema, newSecret, sha256 } from './sovereignty-portal.session.js';

/** A code and its link are good for 10 minutes and 5 wrong codes. */
export const LOGIN_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
/**
 * Wrong codes per e-mail address over all its requests (review item 7): after 10 in 24 hours the
 * address cannot sign in with a code for the rest of those 24 hours (the link still works: it
 * cannot be guessed). Counted alike for addresses nobody has.
 */
export const MAX_DAILY_CODE_FAILURES = 10;
const FAILURE_WINDOW_MS = 24 * 60 * 60_000;
/** Sign-in requests per e-mail address and per client address in a window (known or not alike). */
export const LOGIN_LIMITS = { perEmail: 5, perIp: 30, windowMs: 15 * 60_000 };

export type PortalLocale = 'zh-CN' | 'en';

// ---------------------------------------------------------------- sign-in

/** Mail deliveries still running after the answer went out, per platform (awaited on close and by tests). */
const pending = new WeakMap<Platform, Set<Promise<void>>>();

/** Waits for every sign-in mail of this platform still being looked up or sent. */
export async function settlePortalMail(platform: Platform): Promise<void> {
  const set = pending.get(platform);
  while (set && set.size > 0) await Promise.allSettled([...set]);
}

/** A refused sign-in request: 429 with the seconds until the window frees a place (Retry-After). */
export class TooManyLogins extends ProblemError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'Too Many Requests',
      'Too many sign-in requests: wait a few minutes, then ask for a new code',
      [{ field: 'email', reason: `retry in ${Math.ceil(retryAfterSeconds / 60)} min` }],
    );
  }
}

/**
 * A sign-in request. Written for every address, known or not, then answered at once: the
 * lookup of the contacts and the mail happen after the caller has its answer, so neither the
 * answer nor its timing says whether the address belongs to anyone. Limits count requests per
 * address and per client in the same way for known and unknown addresses.
 */
export async function requestPortalLogin(
  platform: Platform,
  input: { email: string; ip: string; locale: PortalLocale; linkBase: string },
): Promise<void> {
  const email = input.email.trim().toLowerCase();
  const emailHash = sha256(`portal-email:${email}`);
  const ipHash = sha256(`portal-ip:${input.ip}`);
  const since = new Date(Date.now() - LOGIN_LIMITS.windowMs);
  const id = await platform.database.systemTx(async (tx) => {
    const [byEmail] = await tx
      .select({ n: count(), oldest: sql<string>`min(${portalLogins.created_at})` })
      .from(portalLogins)
      .where(and(eq(portalLogins.email_hash, emailHash), gt(portalLogins.created_at, since)));
    const [byIp] = await tx
      .select({ n: count(), oldest: sql<string>`min(${portalLogins.created_at})` })
      .from(portalLogins)
      .where(and(eq(portalLogins.ip_hash, ipHash), gt(portalLogins.created_at, since)));
    const over = [
      byEmail.n >= LOGIN_LIMITS.perEmail ? byEmail.oldest : null,
      byIp.n >= LOGIN_LIMITS.perIp ? byIp.oldest : null,
    ].filter((v): v is string => v !== null);
    if (over.length) {
      const free = Math.max(...over.map((o) => new Date(o).getTime() + LOGIN_LIMITS.windowMs));
      throw new TooManyLogins(Math.max(1, Math.ceil((free - Date.now()) / 1000)));
    }
    // Requests older than a day are of no use to anyone (limits look back 15 minutes).
    await tx.delete(portalLogins).where(sql`${portalLogins.created_at} < now() - interval '1 day'`);
    const [row] = await tx
      .insert(portalLogins)
      .values({
        email_hash: emailHash,
        ip_hash: ipHash,
        locale: input.locale,
        expires_at: new Date(Date.now() + LOGIN_TTL_MS),
      })
      .returning({ id: portalLogins.id });
    return row.id;
  });
  let set = pending.get(platform);
  if (!set) {
    set = new Set();
    pending.set(platform, set);
  }
  const running = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => deliverLoginMail(platform, id, email, input.locale, input.linkBase))
    .catch((err: unknown) => {
      // The person sees nothing either way; the operator sees why in the log.
      console.error('portal sign-in mail failed', err instanceof Error ? err.message : err);
    });
  set.add(running);
  void running.finally(() => set.delete(running));
}

/** After the answer: who the address belongs to; if anyone, a code and a link by mail. */
async function deliverLoginMail(
  platform: Platform,
  loginId: string,
  email: string,
  locale: PortalLocale,
  linkBase: string,
): Promise<void> {
  const matches = await platform.database.systemTx((tx) => findContactsByEmail(tx, email));
  if (matches.length === 0) return;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const token = newSecret();
  const candidates: Candidate[] = matches.map((m) => ({ tenant_id: m.tenant_id, contact_id: m.contact_id }));
  await platform.database.systemTx((tx) =>
    tx
      .update(portalLogins)
      .set({ code_hash: codeHash(loginId, code), token_hash: sha256(`portal-link:${token}`), candidates })
      .where(eq(portalLogins.id, loginId)),
  );
  const link = `${linkBase}/portal/verify?token=${encodeURIComponent(token)}`;
  await platform.mail.send({ to: email, ...loginMail(locale, code, link, matches) });
}

const codeHash = (loginId: string, code: string) => sha256(`portal-code:${loginId}:${code}`);

/** The sign-in mail, worded the way a Chinese company writes to its customers (and plain English). */
export function loginMail(
  locale: PortalLocale,
  code: string,
  link: string,
  matches: readonly ContactByEmail[],
): { subject: string; text: string; html: string } {
  const orgs = [...new Set(matches.map((m) => m.tenant_name))];
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  if (locale === 'zh-CN') {
    const name = matches.length === 1 ? `${matches[0].contact_name}，` : '';
    const text = [
      `尊敬的${name}您好：`,
      '',
      `您正在登录${orgs.join('、')}的客户数据门户，本次登录验证码为：`,
      '',
      `    ${code}`,
      '',
      '验证码 10 分钟内有效，仅限本人使用，请勿转告他人。您也可以直接点击以下链接登录：',
      link,
      '',
      '在门户中，您可以查看我们保存的关于您的全部信息及其来源，更正有误的信息，管理各项授权，导出或申请删除您的数据。',
      '',
      '如非本人操作，请忽略本邮件，您的信息不会有任何变动。',
      '',
      '此致',
      `${orgs.join('、')} 客户数据门户`,
      '（本邮件由系统自动发送，请勿直接回复）',
    ].join('\n');
    const html = `<p>尊敬的${esc(name)}您好：</p><p>您正在登录${esc(orgs.join('、'))}的客户数据门户，本次登录验证码为：</p><p style="font-size:24px;font-weight:bold;letter-spacing:4px">${code}</p><p>验证码 10 分钟内有效，仅限本人使用，请勿转告他人。您也可以直接点击以下链接登录：<br><a href="${esc(link)}">${esc(link)}</a></p><p>如非本人操作，请忽略本邮件，您的信息不会有任何变动。</p><p>此致<br>${esc(orgs.join('、'))} 客户数据门户<br><small>（本邮件由系统自动发送，请勿直接回复）</small></p>`;
    return { subject: `【客户数据门户】登录验证码 ${code}`, text, html };
  }
  const name = matches.length === 1 ? ` ${matches[0].contact_name}` : '';
  const text = [
    `Hello${name},`,
    '',
    `You asked to sign in to the customer data portal of ${orgs.join(', ')}. Your code is:`,
    '',
    `    ${code}`,
    '',
    'It is valid for 10 minutes; do not share it. Or sign in with this link:',
    link,
    '',
    'In the portal you can see all data we hold about you and where it came from, correct it, manage your consents, export it or ask us to delete it.',
    '',
    'If this was not you, ignore this mail: nothing changes.',
    '',
    `${orgs.join(', ')} customer data portal`,
    '(sent automatically; please do not reply)',
  ].join('\n');
  const html = `<p>Hello${esc(name)},</p><p>You asked to sign in to the customer data portal of ${esc(orgs.join(', '))}. Your code is:</p><p style="font-size:24px;font-weight:bold;letter-spacing:4px">${code}</p><p>It is valid for 10 minutes; do not share it. Or sign in with this link:<br><a href="${esc(link)}">${esc(link)}</a></p><p>If this was not you, ignore this mail: nothing changes.</p><p>${esc(orgs.join(', '))} customer data portal<br><small>(sent automatically; please do not reply)</small></p>`;
  return { subject: `Your sign-in code: ${code}`, text, html };
}

const wrongCode = () =>
  new ProblemError(
    400,
    'Bad Request',
    'The code is wrong or has expired: check the latest mail or ask for a new code',
    [{ field: 'code', reason: 'wrong or expired code' }],
  );
const lockedCode = () =>
  new ProblemError(
    429,
    'Too Many Requests',
    'The code was entered wrongly too many times: ask for a new code',
    [{ field: 'code', reason: 'too many wrong codes' }],
  );
const badLink = () =>
  new ProblemError(
    400,
    'Bad Request',
    'This sign-in link has expired or was already used: ask for a new code',
    [{ field: 'token', reason: 'expired or used link' }],
  );

/**
 * Checks a code (against the newest request for the address) or a link's token; the first good
 * one consumes the request. Five wrong codes lock the request; the answer is the same for an
 * address nobody has. Returns the (tenant, contact) pairs the address belongs to.
 */
export async function verifyPortalLogin(
  platform: Platform,
  input: { email: string; code: string } | { token: string },
): Promise<Candidate[]> {
  // The outcome is decided in the transaction and thrown after it: a wrong code's count must commit.
  const outcome = await platform.database.systemTx(
    async (tx): Promise<{ ok: Candidate[] } | { fail: () => ProblemError }> => {
      if ('token' in input) {
        const [row] = await tx
          .select()
          .from(portalLogins)
          .where(eq(portalLogins.token_hash, sha256(`portal-link:${input.token}`)))
          .for('update');
        if (!row || row.consumed_at || row.expires_at.getTime() <= Date.now()) return { fail: badLink };
        if (row.attempts >= MAX_CODE_ATTEMPTS) return { fail: lockedCode };
        await tx.update(portalLogins).set({ consumed_at: new Date() }).where(eq(portalLogins.id, row.id));
        return { ok: candidateSchema.parse(row.candidates) };
      }
      const emailHash = sha256(`portal-email:${input.email.trim().toLowerCase()}`);
      const [row] = await tx
        .select()
        .from(portalLogins)
        .where(and(eq(portalLogins.email_hash, emailHash), isNull(portalLogins.consumed_at)))
        .orderBy(desc(portalLogins.created_at))
        .limit(1)
        .for('update');
      if (!row) return { fail: wrongCode };
      if (row.attempts >= MAX_CODE_ATTEMPTS) return { fail: lockedCode };
      const [failed] = await tx
        .select({ n: sql<number>`coalesce(sum(${portalLogins.attempts}), 0)::int` })
        .from(portalLogins)
        .where(
          and(
            eq(portalLogins.email_hash, emailHash),
            gt(portalLogins.created_at, new Date(Date.now() - FAILURE_WINDOW_MS)),
          ),
        );
      if (Number(failed?.n ?? 0) >= MAX_DAILY_CODE_FAILURES) return { fail: lockedCode };
      const given = Buffer.from(codeHash(row.id, input.code.trim()));
      const ok =
        row.code_hash !== null &&
        row.expires_at.getTime() > Date.now() &&
        given.length === row.code_hash.length &&
        timingSafeEqual(given, Buffer.from(row.code_hash));
      if (!ok) {
        const attempts = row.attempts + 1;
        await tx.update(portalLogins).set({ attempts }).where(eq(portalLogins.id, row.id));
        const locked = attempts >= MAX_CODE_ATTEMPTS || Number(failed?.n ?? 0) + 1 >= MAX_DAILY_CODE_FAILURES;
        return { fail: locked ? lockedCode : wrongCode };
      }
      await tx.update(portalLogins).set({ consumed_at: new Date() }).where(eq(portalLogins.id, row.id));
      return { ok: candidateSchema.parse(row.candidates) };
    },
  );
  if ('fail' in outcome) throw outcome.fail();
  return outcome.ok;
}

/** The organisations (and the contact in each) a signed-in person may choose, names re-read now. */
export function organisationsOf(
  platform: Platform,
  candidates: readonly Candidate[],
): Promise<ContactByEmail[]> {
  return platform.database.systemTx((tx) => contactsByIds(tx, candidates));
}

// ---------------------------------------------------------------- profile and corrections

/**
 * The fields a person may correct, and how: `direct` is applied at once (through the CRM's
 * own write path, so the change log says the customer did it through the portal); `request` opens
 * a rectification case staff check first (the address they sign in with, the company).
 */
export const FIELD_POLICY = {
  name: 'direct',
  name_en: 'direct',
  title: 'direct',
  phones: 'request',
  preferred_language: 'direct',
  department: 'request',
  emails: 'request',
  account: 'request',
  other: 'request',
} as const;
export type CorrectableField = keyof typeof FIELD_POLICY;

export const FIELD_LABELS: Record<CorrectableField, { en: string; zh: string }> = {
  name: { en: 'Name', zh: '姓名' },
  name_en: { en: 'English name', zh: '英文名' },
  title: { en: 'Title', zh: '职位' },
  phones: { en: 'Phone', zh: '电话' },
  preferred_language: { en: 'Preferred language', zh: '沟通语言' },
  department: { en: 'Department', zh: '部门' },
  emails: { en: 'E-mail', zh: '邮箱' },
  account: { en: 'Company', zh: '所在公司' },
  other: { en: 'Something else', zh: '其他信息' },
};

export interface ProfileField {
  key: CorrectableField;
  label: { en: string; zh: string };
  value: unknown;
  policy: 'direct' | 'request';
  lineage: {
    method: string;
    source: string;
    actor_type: string;
    actor_name: string | null;
    at: string;
  } | null;
}

/** The contact's own record as the portal shows it: each correctable field with where its value came from. */
export async function portalProfile(tx: Tx, ctx: ActorContext, contactId: string): Promise<ProfileField[]> {
  const contact = await contactService.get(tx, ctx, contactId);
  const [pref] = await tx
    .select()
    .from(portalPreferences)
    .where(and(eq(portalPreferences.tenant_id, ctx.tenantId), eq(portalPreferences.contact_id, contactId)));
  const [names] = await contactsByIds(tx, [{ tenant_id: ctx.tenantId, contact_id: contactId }]);
  const record: Record<string, unknown> = {
    ...contact,
    account: names?.account_name ?? null,
    preferred_language: pref?.preferred_language ?? null,
  };
  const lineage = await fieldLineage(tx, ctx.tenantId, 'contacts', record, [
    'name',
    'name_en',
    'title',
    'phones',
    'department',
    'emails',
    'account_id',
    'preferred_language',
  ]);
  const of = (f: string) => {
    const l = lineage.find((x) => x.field === (f === 'account' ? 'account_id' : f));
    return l
      ? { method: l.method, source: l.source, actor_type: l.actor_type, actor_name: l.actor_name, at: l.at }
      : null;
  };
  return (Object.keys(FIELD_POLICY) as CorrectableField[])
    .filter((k) => k !== 'other')
    .map((key) => ({
      key,
      label: FIELD_LABELS[key],
      value: record[key] ?? null,
      policy: FIELD_POLICY[key],
      lineage: of(key),
    }));
}

/**
 * A direct correction: through crm's contactService.update (row + change log + event), or for the
 * preferred language the portal's own table plus the same change log entry. The actor is the
 * customer (ctx from portalContext), so staff lineage shows the change came through the portal.
 */
export async function applyDirectCorrection(
  tx: Tx,
  ctx: ActorContext,
  contactId: string,
  field: CorrectableField,
  value: string,
): Promise<void> {
  const v = value.trim();
  if (field === 'preferred_language') {
    if (v !== 'zh-CN' && v !== 'en')
      throw unprocessable('Choose the language we should write to you in', [
        { field: 'value', reason: 'Choose one of: zh-CN, en' },
      ]);
    await contactService.get(tx, ctx, contactId);
    const [old] = await tx
      .select()
      .from(portalPreferences)
      .where(and(eq(portalPreferences.tenant_id, ctx.tenantId), eq(portalPreferences.contact_id, contactId)));
    if (old?.preferred_language === v) return;
    await tx
      .insert(portalPreferences)
      .values({ tenant_id: ctx.tenantId, contact_id: contactId, preferred_language: v })
      .onConflictDoUpdate({
        target: [portalPreferences.tenant_id, portalPreferences.contact_id],
        set: { preferred_language: v, updated_at: new Date() },
      });
    await recordChange(
      tx,
      ctx,
      'contacts',
      contactId,
      'update',
      { preferred_language: { old: old?.preferred_language ?? null, new: v } },
      { method: 'manual' },
    );
    return;
  }
  let patch: Record<string, unknown>;
  if (field === 'phones') {
    const phones = v
      .split(/[,，;；\n]/)
      .map((p) => p.trim())
      .filter(Boolean);
    patch = { phones };
  } else if (field === 'name') {
    if (!v) throw unprocessable('Your name cannot be empty', [{ field: 'value', reason: 'Required' }]);
    patch = { name: v };
  } else patch = { [field]: v === '' ? null : v };
  const parsed = contactPatch.safeParse(patch, { reportInput: true });
  if (!parsed.success)
    throw unprocessable('The corrected value is not valid', [
      { field: 'value', reason: parsed.error.issues[0]?.message ?? 'invalid' },
    ]);
  await contactService.update(tx, ctx, contactId, parsed.data, { method: 'manual' });
}

/** What a direct correction may set: the CRM's own rules for these fields. */
const contactPatch = contactInput.pick({ name: true, name_en: true, title: true, phones: true }).partial();

// ---------------------------------------------------------------- the portal's own personal data

/**
 * What the portal itself holds about a person, for the sovereignty module's personal-data
 * provider (the part that composes it calls these): the preferred language they set, and their
 * sign-in requests and sessions. Erasure deletes all of it (nothing needs keeping).
 */
export const portalPersonalData: PersonalDataProvider = {
  async collect(tx, subject) {
    const [pref] = await tx
      .select()
      .from(portalPreferences)
      .where(
        and(
          eq(portalPreferences.tenant_id, subject.tenantId),
          eq(portalPreferences.contact_id, subject.contactId),
        ),
      );
    const records = pref?.preferred_language
      ? [
          {
            id: subject.contactId,
            title: `${FIELD_LABELS.preferred_language.zh} / ${FIELD_LABELS.preferred_language.en}`,
            at: pref.updated_at.toISOString(),
            fields: [
              {
                key: 'preferred_language',
                label: FIELD_LABELS.preferred_language,
                value: pref.preferred_language,
                lineage: [{ method: 'customer', source: 'portal', at: pref.updated_at.toISOString() }],
              },
            ],
          },
        ]
      : [];
    return [
      {
        kind: 'portal_preferences',
        label: { en: 'Set by you in the portal', zh: '您在门户中的设置' },
        records,
        total: records.length,
      },
    ];
  },
  async erase(tx, subject) {
    const prefs = await tx
      .delete(portalPreferences)
      .where(
        and(
          eq(portalPreferences.tenant_id, subject.tenantId),
          eq(portalPreferences.contact_id, subject.contactId),
        ),
      )
      .returning({ id: portalPreferences.contact_id });
    const sessions = await tx
      .delete(portalSessions)
      .where(
        or(
          and(
            eq(portalSessions.selected_tenant_id, subject.tenantId),
            eq(portalSessions.selected_contact_id, subject.contactId),
          ),
          sql`${portalSessions.candidates} @> ${JSON.stringify([{ contact_id: subject.contactId }])}::jsonb`,
        ),
      )
      .returning({ id: portalSessions.id });
    const logins = await tx
      .delete(portalLogins)
      .where(sql`${portalLogins.candidates} @> ${JSON.stringify([{ contact_id: subject.contactId }])}::jsonb`)
      .returning({ id: portalLogins.id });
    return [
      { table: 'portal_preferences', action: 'deleted', rows: prefs.length },
      { table: 'portal_sessions', action: 'deleted', rows: sessions.length },
      { table: 'portal_logins', action: 'deleted', rows: logins.length },
    ];
  },
};

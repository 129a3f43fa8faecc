import { and, asc, eq, getTableColumns, inArray, lt, or, sql } from 'drizzle-orm';
import { systemContext } from '../../platform/auth/auth-context.js';
import { cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import { identifierNeedles } from '../../platform/privacy/identifier-needles.js';
import type {
  DataSubject,
  ErasureOutcome,
  LocalText,
  PersonalDataProvider,
  PersonalDataSection,
  PersonalDatum,
  PersonalRecord,
} from '../../platform/privacy/personal-data.js';
import {
  anyMentions,
  createdLineage,
  deleteRecordHistory,
  recordLineage,
  redactColumns,
  redactJson,
  redactText,
  subjectNeedles,
} from '../../platform/privacy/personal-data-scrub.js';
import { deleteSharesOf, notifyRecordWrite } from '../../platform/sharing/sharing.service.js';
import { nameKeys } from '../../platform/text/pinyin.js';
import { accounts, activities, contacts, crmMerges, opportunities } from './crm.schema.js';
import { invalidateCrmDirectory } from './crm-directory.service.js';

/**
 * What the CRM holds about a person (issue 13 items 2 and 5): their contact record with each
 * field's lineage, the decision-graph facts about them (stance, buying role, influence, stated
 * preferences), activities they took part in or are named in, merges of their record; and how
 * each is erased.
 */

const PROFILE_FIELDS: { key: string; en: string; zh: string }[] = [
  { key: 'name', en: 'Name', zh: '姓名' },
  { key: 'name_en', en: 'English name', zh: '英文名' },
  { key: 'emails', en: 'E-mail', zh: '邮箱' },
  { key: 'phones', en: 'Phone', zh: '电话' },
  { key: 'title', en: 'Title', zh: '职务' },
  { key: 'department', en: 'Department', zh: '部门' },
  { key: 'account_id', en: 'Company', zh: '所属公司' },
  { key: 'owner_id', en: 'Account manager', zh: '客户负责人' },
  { key: 'tags', en: 'Tags', zh: '标签' },
  { key: 'custom', en: 'Other fields', zh: '其他字段' },
];

/** The words a person reads for the values crm stores as keys (activity types, roles, stances). */
const VALUE_LABELS: Record<string, Record<string, LocalText>> = {
  type: {
    call: { en: 'Call', zh: '电话' },
    meeting: { en: 'Meeting', zh: '会议' },
    email: { en: 'E-mail', zh: '邮件' },
    visit: { en: 'Visit', zh: '拜访' },
    note: { en: 'Note', zh: '备注' },
    task: { en: 'Task', zh: '任务' },
  },
  committee_role: {
    technical: { en: 'Technical evaluator', zh: '技术评估' },
    procurement: { en: 'Procurement', zh: '采购' },
    finance: { en: 'Finance', zh: '财务' },
    legal: { en: 'Legal', zh: '法务' },
    esg: { en: 'ESG', zh: 'ESG' },
    executive: { en: 'Executive decision-maker', zh: '高层决策' },
    user: { en: 'User', zh: '使用者' },
    other: { en: 'Other', zh: '其他' },
  },
  stance: {
    champion: { en: 'Champion', zh: '支持者（内线）' },
    supporter: { en: 'Supporter', zh: '支持' },
    neutral: { en: 'Neutral', zh: '中立' },
    skeptic: { en: 'Skeptical', zh: '怀疑' },
    blocker: { en: 'Opposed', zh: '反对' },
  },
  status: {
    merged: { en: 'Merged', zh: '已合并' },
    undone: { en: 'Merge undone', zh: '已撤销合并' },
  },
};

/** A stored key in the reader's words when crm has words for it; anything else as stored. */
const valueLabel = (field: string, v: unknown): unknown =>
  typeof v === 'string' ? (VALUE_LABELS[field]?.[v] ?? v) : v;

const INSIGHT_FIELDS: { key: string; en: string; zh: string }[] = [
  { key: 'committee_role', en: 'Buying role', zh: '采购角色' },
  { key: 'influence', en: 'Influence', zh: '影响力' },
  { key: 'stance', en: 'Stance', zh: '态度' },
  { key: 'preferences', en: 'Stated preferences', zh: '偏好' },
];

/** The contact's record as crm holds it (system read: the caller checked who may ask). */
export async function contactForSubject(
  tx: Tx,
  tenantId: string,
  contactId: string,
): Promise<
  { id: string; name: string; name_en: string | null; emails: string[]; phones: string[] } | undefined
> {
  const [c] = await tx
    .select({
      id: contacts.id,
      name: contacts.name,
      name_en: contacts.name_en,
      emails: contacts.emails,
      phones: contacts.phones,
    })
    .from(contacts)
    .where(and(eq(contacts.tenant_id, tenantId), eq(contacts.id, contactId)));
  return c;
}

/**
 * Contacts created before `before` with their identifiers, a page at a time (ledger replay: the
 * sovereignty module hashes them and matches its ledger; it never reads crm tables).
 */
export async function contactIdentifiersPage(
  tx: Tx,
  tenantId: string,
  opts: { before: Date; afterId?: string; limit: number },
): Promise<
  { id: string; name: string; name_en: string | null; emails: string[]; phones: string[]; created_at: Date }[]
> {
  return tx
    .select({
      id: contacts.id,
      created_at: contacts.created_at,
      name: contacts.name,
      name_en: contacts.name_en,
      emails: contacts.emails,
      phones: contacts.phones,
    })
    .from(contacts)
    .where(
      and(
        eq(contacts.tenant_id, tenantId),
        lt(contacts.created_at, opts.before),
        opts.afterId ? sql`${contacts.id} > ${opts.afterId}::uuid` : undefined,
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(opts.limit);
}

/**
 * Names (name, name_en) of the tenant's OTHER contacts that contain or equal one of `names`,
 * case-insensitively (erasure: 王芳芳 stays when 王芳 is erased; a namesake's mentions are left).
 */
export async function contactNamesContaining(
  tx: Tx,
  tenantId: string,
  names: readonly string[],
  exceptIds: string | readonly string[],
): Promise<string[]> {
  const wanted = names.map((n) => n.trim()).filter((n) => n.length >= 2);
  if (wanted.length === 0) return [];
  const except = typeof exceptIds === 'string' ? [exceptIds] : [...exceptIds];
  const like = sql.join(
    wanted.map((n) => sql`${`%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`),
    sql`, `,
  );
  const rows = await tx
    .select({ name: contacts.name, name_en: contacts.name_en })
    .from(contacts)
    .where(
      and(
        eq(contacts.tenant_id, tenantId),
        sql`not (${contacts.id} = any(${`{${except.join(',')}}`}::uuid[]))`,
        sql`(${contacts.name} ilike any(array[${like}]::text[]) or coalesce(${contacts.name_en}, '') ilike any(array[${like}]::text[]))`,
      ),
    );
  const low = wanted.map((n) => n.toLowerCase());
  const out = new Set<string>();
  for (const r of rows)
    for (const n of [r.name, r.name_en])
      if (n && low.some((w) => n.trim().toLowerCase().includes(w))) out.add(n.trim());
  return [...out];
}

/** Contacts merged into this one (the same person's duplicates): their history and events are theirs too. */
export async function mergedDuplicateIds(tx: Tx, tenantId: string, contactId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: crmMerges.merged_id })
    .from(crmMerges)
    .where(
      and(
        eq(crmMerges.tenant_id, tenantId),
        eq(crmMerges.entity, 'contact'),
        eq(crmMerges.survivor_id, contactId),
      ),
    );
  return [...new Set(rows.map((r) => r.id))];
}

const FIELD_LABELS = new Map<string, LocalText>(
  [...PROFILE_FIELDS, ...INSIGHT_FIELDS].map((f) => [f.key, { en: f.en, zh: f.zh }]),
);

/** Names of the accounts a contact's history points at (a company id reads as its name). */
async function namesOfAccounts(tx: Tx, tenantId: string, ids: unknown[]): Promise<Map<string, string>> {
  const wanted = [
    ...new Set(ids.filter((v): v is string => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v))),
  ];
  if (!wanted.length) return new Map();
  const rows = await tx
    .select({ id: accounts.id, name: accounts.name })
    .from(accounts)
    .where(and(eq(accounts.tenant_id, tenantId), inArray(accounts.id, wanted)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

function datum(
  key: string,
  label: { en: string; zh: string },
  value: unknown,
  history: Awaited<ReturnType<typeof recordLineage>>,
): PersonalDatum {
  return { key, label, value, lineage: history.filter((h) => h.field === key).map((h) => h.lineage) };
}

/** What the person is shown: activities they took part in, or that carry their e-mail or phone. */
const activityCollectWhere = (s: DataSubject, needles: string[]) =>
  and(
    eq(activities.tenant_id, s.tenantId),
    or(
      sql`${activities.contact_ids} @> array[${s.contactId}]::uuid[]`,
      anyMentions([activities.subject, activities.body, activities.participants, activities.custom], needles),
    ),
  );

async function collect(tx: Tx, s: DataSubject, { limit }: { limit: number }): Promise<PersonalDataSection[]> {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(and(eq(contacts.tenant_id, s.tenantId), eq(contacts.id, s.contactId)));
  if (!row) return [];
  const history = await recordLineage(tx, s.tenantId, 'contacts', s.contactId);
  const [account] = row.account_id
    ? await tx
        .select({ name: accounts.name })
        .from(accounts)
        .where(and(eq(accounts.tenant_id, s.tenantId), eq(accounts.id, row.account_id)))
    : [];
  const values: Record<string, unknown> = {
    ...row,
    account_id: account?.name ?? null,
    committee_role: valueLabel('committee_role', row.committee_role),
    stance: valueLabel('stance', row.stance),
  };
  const profile: PersonalRecord = {
    id: row.id,
    title: row.name,
    at: row.created_at.toISOString(),
    fields: PROFILE_FIELDS.map((f) => datum(f.key, { en: f.en, zh: f.zh }, values[f.key], history)),
  };
  const insights: PersonalRecord = {
    id: `${row.id}:decision-graph`,
    title: { en: 'Your role in the buying decision', zh: '您在采购决策中的角色' },
    fields: INSIGHT_FIELDS.map((f) => datum(f.key, { en: f.en, zh: f.zh }, values[f.key], history)),
  };
  // The field history itself: every change of the record, with who/how/where.
  const accountNames = await namesOfAccounts(
    tx,
    s.tenantId,
    history.filter((h) => h.field === 'account_id').map((h) => h.value),
  );
  const changes = history.slice(0, limit).map((h, i) => {
    const label = FIELD_LABELS.get(h.field) ?? { en: h.field, zh: h.field };
    const value =
      h.field === 'account_id' && typeof h.value === 'string'
        ? (accountNames.get(h.value) ?? null)
        : valueLabel(h.field, h.value);
    return {
      id: `${row.id}:change:${i}`,
      title: label,
      at: h.lineage.at,
      fields: [{ key: h.field, label, value, lineage: [h.lineage] }],
    };
  });

  // Only what is linked to the person or carries their e-mail/phone (never a name match: review item 1).
  const where = activityCollectWhere(s, identifierNeedles(s));
  // One pass: the rows and how many there are (count over the whole match, before the limit).
  const acts = await tx
    .select({ ...getTableColumns(activities), total: sql<number>`(count(*) over ())::int` })
    .from(activities)
    .where(where)
    .orderBy(sql`${activities.occurred_at} desc`)
    .limit(limit);
  const actLineage = await createdLineage(
    tx,
    s.tenantId,
    'activities',
    acts.map((a) => a.id),
  );
  const activityRecords: PersonalRecord[] = acts.map((a) => {
    const lin = actLineage.get(a.id);
    const lineage = lin ? [lin] : [];
    const involved = a.contact_ids.includes(s.contactId);
    return {
      id: a.id,
      title: a.subject,
      at: a.occurred_at.toISOString(),
      fields: [
        { key: 'type', label: { en: 'Type', zh: '类型' }, value: valueLabel('type', a.type), lineage },
        { key: 'subject', label: { en: 'Subject', zh: '主题' }, value: a.subject, lineage },
        { key: 'body', label: { en: 'Notes', zh: '内容' }, value: a.body, lineage },
        { key: 'participants', label: { en: 'Participants', zh: '参与人' }, value: a.participants, lineage },
        {
          key: 'involvement',
          label: { en: 'How you appear', zh: '与您的关系' },
          value: involved
            ? { en: 'You took part', zh: '您参与了' }
            : { en: 'You are mentioned', zh: '其中提到了您' },
          lineage,
        },
      ],
    };
  });

  const merges = await tx
    .select({
      id: crmMerges.id,
      created_at: crmMerges.created_at,
      by: crmMerges.created_by_name,
      status: crmMerges.status,
    })
    .from(crmMerges)
    .where(
      and(
        eq(crmMerges.tenant_id, s.tenantId),
        eq(crmMerges.entity, 'contact'),
        or(eq(crmMerges.merged_id, s.contactId), eq(crmMerges.survivor_id, s.contactId)),
      ),
    )
    .limit(limit);

  return [
    { kind: 'profile', label: { en: 'Your details', zh: '个人资料' }, records: [profile], total: 1 },
    {
      kind: 'insights',
      label: { en: 'How we see your role', zh: '角色与态度' },
      records: [insights],
      total: 1,
    },
    {
      kind: 'field_history',
      label: { en: 'Changes to your details', zh: '资料修改记录' },
      records: changes,
      total: history.length,
    },
    {
      kind: 'activities',
      label: { en: 'Meetings, calls and notes', zh: '会议、通话与记录' },
      records: activityRecords,
      total: Number(acts[0]?.total ?? 0),
    },
    {
      kind: 'merges',
      label: { en: 'Duplicate records merged', zh: '重复记录合并' },
      records: merges.map((m) => ({
        id: m.id,
        title: { en: 'Duplicate record merged', zh: '重复记录合并' },
        at: m.created_at.toISOString(),
        fields: [
          {
            key: 'status',
            label: { en: 'Status', zh: '状态' },
            value: valueLabel('status', m.status),
            lineage: [{ method: 'manual', source: 'ui', actorName: m.by, at: m.created_at.toISOString() }],
          },
        ],
      })),
      total: merges.length,
    },
  ];
}

const RETAIN_WON =
  'contract history of a won opportunity (kept for accounting and contract law); the person is replaced by 已删除的联系人';

async function erase(tx: Tx, s: DataSubject): Promise<ErasureOutcome[]> {
  const needles = subjectNeedles(s);
  // Rows linked to the person (contact_ids): a name another contact shares is theirs here too.
  const linkedNeedles = subjectNeedles(s, { linked: true });
  const out: ErasureOutcome[] = [];

  // Activities: on a won opportunity they stay (anonymised); theirs alone are deleted; others anonymised.
  const acts = await tx
    .select({
      id: activities.id,
      contact_ids: activities.contact_ids,
      subject: activities.subject,
      body: activities.body,
      participants: activities.participants,
      custom: activities.custom,
      won: sql<boolean>`coalesce(${opportunities.status} = 'won', false)`,
    })
    .from(activities)
    .leftJoin(
      opportunities,
      and(eq(opportunities.tenant_id, activities.tenant_id), eq(opportunities.id, activities.opportunity_id)),
    )
    .where(
      and(
        eq(activities.tenant_id, s.tenantId),
        or(
          sql`${activities.contact_ids} @> array[${s.contactId}]::uuid[]`,
          anyMentions(
            [activities.subject, activities.body, activities.participants, activities.custom],
            needles,
          ),
        ),
      ),
    );
  const toDelete: string[] = [];
  let retained = 0;
  let anonymised = 0;
  for (const a of acts) {
    const others = a.contact_ids.filter((c) => c !== s.contactId);
    const won = a.won === true || String(a.won) === 't';
    if (!won && others.length === 0 && a.contact_ids.includes(s.contactId)) {
      toDelete.push(a.id);
      continue;
    }
    const linked = a.contact_ids.includes(s.contactId);
    const n = linked ? linkedNeedles : needles;
    const set = {
      contact_ids: others,
      subject: redactText(a.subject, n),
      body: a.body === null ? null : redactText(a.body, n),
      participants: a.participants.map((p) => redactText(p, n)),
      custom: redactJson(a.custom, n).value,
    };
    // A row found by a loose text match that names someone else (Linux for Li, 王芳芳 for 王芳) stays as it is.
    if (
      !linked &&
      set.subject === a.subject &&
      set.body === a.body &&
      set.participants.every((p, i) => p === a.participants[i]) &&
      !redactJson(a.custom, n).changed
    )
      continue;
    await tx
      .update(activities)
      .set({ ...set, updated_at: new Date() })
      .where(and(eq(activities.tenant_id, s.tenantId), eq(activities.id, a.id)));
    if (won) retained++;
    else anonymised++;
  }
  if (toDelete.length)
    await tx
      .delete(activities)
      .where(and(eq(activities.tenant_id, s.tenantId), inArray(activities.id, toDelete)));
  out.push({ table: 'activities', action: 'deleted', rows: toDelete.length });
  const history = await deleteRecordHistory(tx, s.tenantId, 'activities', toDelete);
  if (history) out.push({ table: 'change_log', action: 'deleted', rows: history });
  out.push({
    table: 'activities',
    action: 'anonymised',
    rows: anonymised,
    reason: anonymised
      ? 'activities with other participants stay for the account; the person is replaced'
      : undefined,
  });
  if (retained) out.push({ table: 'activities', action: 'retained', rows: retained, reason: RETAIN_WON });

  // Merges of the person's record (their duplicates' values, undo data) go; others that name them are redacted.
  const merges = await tx
    .delete(crmMerges)
    .where(
      and(
        eq(crmMerges.tenant_id, s.tenantId),
        eq(crmMerges.entity, 'contact'),
        or(eq(crmMerges.merged_id, s.contactId), eq(crmMerges.survivor_id, s.contactId)),
      ),
    )
    .returning({ id: crmMerges.id, merged_id: crmMerges.merged_id });
  // The duplicates merged into (or out of) the record were the same person: their shares and history go too.
  const duplicates = [...new Set(merges.map((m) => m.merged_id))].filter((id) => id !== s.contactId);
  for (const id of duplicates) await deleteSharesOf(tx, systemContext(s.tenantId), 'contacts', id);
  const dupHistory = await deleteRecordHistory(tx, s.tenantId, 'contacts', duplicates);
  out.push({ table: 'crm_merges', action: 'deleted', rows: merges.length });
  if (dupHistory) out.push({ table: 'change_log', action: 'deleted', rows: dupHistory });
  const mergeRedacted = await redactColumns(tx, {
    table: crmMerges,
    id: crmMerges.id,
    columns: {
      merged_name: crmMerges.merged_name,
      merged_record: crmMerges.merged_record,
      survivor_before: crmMerges.survivor_before,
      survivor_after: crmMerges.survivor_after,
    },
    needles,
    where: eq(crmMerges.tenant_id, s.tenantId),
  });
  if (mergeRedacted.length)
    out.push({
      table: 'crm_merges',
      action: 'anonymised',
      rows: mergeRedacted.length,
      reason: 'account merges that must stay undoable; the person is replaced',
    });

  // The contact itself, and its shares.
  const gone = await tx
    .delete(contacts)
    .where(and(eq(contacts.tenant_id, s.tenantId), eq(contacts.id, s.contactId)))
    .returning({ id: contacts.id });
  await deleteSharesOf(tx, systemContext(s.tenantId), 'contacts', s.contactId);
  out.push({ table: 'contacts', action: 'deleted', rows: gone.length });

  // Free-text mentions in other records: other contacts, accounts, opportunities (won ones are kept, redacted).
  const otherContacts = await redactColumns(tx, {
    table: contacts,
    id: contacts.id,
    columns: {
      title: contacts.title,
      department: contacts.department,
      tags: contacts.tags,
      preferences: contacts.preferences,
      custom: contacts.custom,
    },
    needles,
    where: eq(contacts.tenant_id, s.tenantId),
  });
  if (otherContacts.length)
    out.push({
      table: 'contacts',
      action: 'anonymised',
      rows: otherContacts.length,
      reason: 'other people’s records that named the person',
    });
  const accs = await redactColumns(tx, {
    table: accounts,
    id: accounts.id,
    columns: {
      description: accounts.description,
      address: accounts.address,
      phone: accounts.phone,
      custom: accounts.custom,
    },
    needles,
    where: eq(accounts.tenant_id, s.tenantId),
  });
  if (accs.length)
    out.push({
      table: 'accounts',
      action: 'anonymised',
      rows: accs.length,
      reason: 'company records stay; the person is replaced',
    });
  const opps = await redactColumns(tx, {
    table: opportunities,
    id: opportunities.id,
    columns: {
      name: opportunities.name,
      close_reason: opportunities.close_reason,
      custom: opportunities.custom,
    },
    needles,
    where: eq(opportunities.tenant_id, s.tenantId),
  });
  // Their pinyin search keys named the person too: derived again from the redacted name.
  for (const id of opps) {
    const [o] = await tx
      .select({ name: opportunities.name })
      .from(opportunities)
      .where(eq(opportunities.id, id));
    const keys = nameKeys(o?.name ?? '');
    await tx
      .update(opportunities)
      .set({ name_pinyin: keys.pinyin, name_initials: keys.initials })
      .where(and(eq(opportunities.tenant_id, s.tenantId), eq(opportunities.id, id)));
  }
  if (opps.length)
    out.push({ table: 'opportunities', action: 'anonymised', rows: opps.length, reason: RETAIN_WON });

  // Search keys (pinyin) went with the contact row; the in-memory directory is dropped.
  invalidateCrmDirectory(cachesOf(tx), s.tenantId);
  notifyRecordWrite('contacts', s.tenantId);
  notifyRecordWrite('activities', s.tenantId);
  return out;
}

export const crmPersonalData: PersonalDataProvider = {
  collect,
  erase: (tx, subject) => erase(tx, subject),
};

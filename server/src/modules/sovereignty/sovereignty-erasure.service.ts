import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/change-log.js';
import { type ActorContext, can, systemContext } from '../../platform/auth/auth-context.js';
import { afterCommit, type Tx } from '../../platform/db/database.js';
import { emitEvent } from '../../platform/events/event-bus.js';
import { domainEvents } from '../../platform/events/events.schema.js';
import { forbidden, notFound, unprocessable } from '../../platform/http/problem.js';
import type { Platform } from '../../platform/platform.js';
import type {
  DataSubject,
  ErasureOutcome,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { erasePlatformCopies } from '../../platform/privacy/personal-data-scrub.js';
import { contactForSubject, contactNamesContaining, mergedDuplicateIds } from '../crm/crm.personal-data.js';
import { contactService } from '../crm/crm.service.js';
import { deliveriesOfEvent, endpointsSubscribedTo } from '../webhooks/webhooks.personal-data.js';
import {
  privacyErasureLedger,
  privacyErasureReceipts,
  privacyErasures,
} from './sovereignty-erasure.schema.js';
import {
  appendLedgerFile,
  hashesOf,
  type LedgerEntry,
  type LedgerLift,
  ledgerFile,
  normaliseEmail,
  readLedgerFile,
  readLedgerLifts,
  tenantSalt,
} from './sovereignty-erasure-ledger.js';
import { eraseExportsOf } from './sovereignty-export.service.js';

export { isErasedIdentity } from './sovereignty-erasure-ledger.js';

/**
 * See everything and erase everything (issue 13 items 2 and 5): the person as a DataSubject, every
 * module's sections about them, and the erasure — ledger first, then every module's provider, the
 * platform's copies (change log, outbox), derived copies (exports, caches), the outbound notice
 * `privacy.erasure_requested` with a receipt per connected system, and a stored proof report.
 */

export const ERASURE_EVENT = 'privacy.erasure_requested';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The person behind a contact (read through crm's service); 404 when there is no such contact.
 * Other contacts' names that contain the person's (王芳芳 for 王芳) are kept intact by redaction;
 * names another contact bears exactly (two 陈杰) redact only rows linked to the person.
 */
export async function subjectOf(tx: Tx, tenantId: string, contactId: string): Promise<DataSubject> {
  const c = UUID.test(contactId) ? await contactForSubject(tx, tenantId, contactId) : undefined;
  if (!c) throw notFound('Contact');
  const names = [...new Set([c.name, c.name_en].filter((n): n is string => !!n && n.trim().length > 0))];
  const duplicates = await mergedDuplicateIds(tx, tenantId, contactId);
  const others = await contactNamesContaining(tx, tenantId, names, [contactId, ...duplicates]);
  const low = (n: string) => n.trim().toLowerCase();
  const sharedNames = names.filter((n) => others.some((o) => low(o) === low(n)));
  const protectedNames = others.filter((o) => !names.some((n) => low(n) === low(o)));
  return {
    tenantId,
    contactId,
    emails: [...new Set(c.emails.map(normaliseEmail).filter(Boolean))],
    phones: [...new Set(c.phones.map((p) => p.trim()).filter(Boolean))],
    names,
    ...(protectedNames.length ? { protectedNames } : {}),
    ...(sharedNames.length ? { sharedNames } : {}),
  };
}

/** Why a namesake's mentions were left (the proof report lists it as retained). */
export const SHARED_NAME_REASON = 'name shared with another contact: mentions left for a person to review';

/**
 * Staff act for a contact they may see (record sharing, through crm's contactService); a portal
 * context ('customer') only for its own contact (actorId is the contact id).
 */
export async function assertMayActFor(tx: Tx, ctx: ActorContext, contactId: string): Promise<void> {
  if (ctx.actorType === 'customer') {
    if (ctx.actorId !== contactId) throw notFound('Contact');
    return;
  }
  if (ctx.actorType === 'system') return;
  await contactService.get(tx, ctx, contactId);
}

/** Every module's sections about the person, each tagged with the module that holds it. */
export async function collectPersonalData(
  platform: Platform,
  tx: Tx,
  subject: DataSubject,
  opts: { limit: number },
): Promise<(PersonalDataSection & { module: string })[]> {
  const out: (PersonalDataSection & { module: string })[] = [];
  for (const { module, provider } of platform.personalData.list())
    for (const s of await provider.collect(tx, subject, opts)) out.push({ ...s, module });
  return out;
}

export interface ErasureReceipt {
  system_kind: string;
  system_id: string;
  system_label: string;
  state: 'pending' | 'confirmed' | 'failed';
  attempts: number;
  last_error: string | null;
  confirmed_at: string | null;
}

export interface ErasureReport {
  id: string;
  case_id: string | null;
  contact_id: string;
  status: 'running' | 'done' | 'failed';
  trigger: string;
  actor_name: string | null;
  started_at: string;
  finished_at: string | null;
  rows_touched: number;
  /** Per module and table: what was deleted, anonymised or retained (with why). */
  outcomes: (ErasureOutcome & { module: string })[];
  /** The records that had to stay, with the retention reason (anonymised tombstones). */
  tombstones: (ErasureOutcome & { module: string })[];
  /** Copies that are not records: search keys, caches, exports, logs. */
  derived: { what: string; action: string; detail: string }[];
  propagation: { event: string; event_id: number | null; receipts: ErasureReceipt[] };
  ledger: { entry_id: string; identifiers_hashed: number; file: string };
}

interface StoredReport {
  outcomes: ErasureReport['outcomes'];
  derived: ErasureReport['derived'];
  ledger: ErasureReport['ledger'];
}

/** Erases one subject (no ledger entry: the caller wrote it). */
async function eraseSubject(
  platform: Platform,
  tx: Tx,
  ctx: ActorContext,
  subject: DataSubject,
  args: {
    erasureId: string;
    caseId: string | null;
    trigger: 'case' | 'replay';
    ledger: StoredReport['ledger'];
  },
): Promise<void> {
  const { erasureId } = args;
  await tx.insert(privacyErasures).values({
    id: erasureId,
    tenant_id: subject.tenantId,
    case_id: args.caseId,
    contact_id: subject.contactId,
    status: 'running',
    trigger: args.trigger,
    actor_type: ctx.actorType,
    actor_id: ctx.actorId,
    actor_name: ctx.actorName,
  });
  const duplicates = await mergedDuplicateIds(tx, subject.tenantId, subject.contactId);
  const outcomes: ErasureReport['outcomes'] = [];
  if (subject.sharedNames?.length)
    outcomes.push({
      module: 'platform',
      table: 'free-text mentions',
      action: 'retained',
      rows: subject.sharedNames.length,
      reason: SHARED_NAME_REASON,
    });
  for (const { module, provider } of platform.personalData.list())
    for (const o of await provider.erase(tx, subject, { erasureId })) outcomes.push({ ...o, module });
  const exports = await eraseExportsOf(platform, tx, subject.tenantId, subject.contactId);
  outcomes.push({ module: 'sovereignty', table: 'privacy_exports', action: 'deleted', rows: exports });
  for (const o of await erasePlatformCopies(tx, subject, { entity: 'contacts', alsoIds: duplicates }))
    outcomes.push({ ...o, module: 'platform' });

  // Connected systems: one outbound event (no identifiers: the contact id they synced and the erasure id).
  await emitEvent(tx, {
    tenantId: subject.tenantId,
    name: ERASURE_EVENT,
    entity: 'privacy_erasures',
    entityId: erasureId,
    payload: {
      erasure_id: erasureId,
      case_id: args.caseId,
      contact_id: subject.contactId,
      trigger: args.trigger,
    },
  });
  const [ev] = await tx
    .select({ id: domainEvents.id })
    .from(domainEvents)
    .where(
      and(
        eq(domainEvents.tenant_id, subject.tenantId),
        eq(domainEvents.name, ERASURE_EVENT),
        eq(domainEvents.entity_id, erasureId),
      ),
    )
    .orderBy(desc(domainEvents.id))
    .limit(1);
  const endpoints = await endpointsSubscribedTo(tx, subject.tenantId, ERASURE_EVENT);
  if (endpoints.length)
    await tx.insert(privacyErasureReceipts).values(
      endpoints.map((e) => ({
        tenant_id: subject.tenantId,
        erasure_id: erasureId,
        system_kind: 'webhook',
        system_id: e.id,
        system_label: e.url,
      })),
    );

  // In-memory copies: every cache of this platform is dropped once the erasure committed.
  const cacheCount = platform.caches.sizes().length;
  afterCommit(tx, () => platform.caches.clear());
  const derived: ErasureReport['derived'] = [
    {
      what: 'search keys',
      action: 'deleted',
      detail:
        'pinyin and initials keys lived on the contact row and went with it; records renamed to 已删除的联系人 got new keys',
    },
    {
      what: 'caches',
      action: 'deleted',
      detail: `${cacheCount} in-memory caches dropped after commit (rebuilt from the database)`,
    },
    { what: 'generated exports', action: 'deleted', detail: `${exports} export file(s) deleted from disk` },
    {
      what: 'log lines',
      action: 'none stored',
      detail:
        'the server keeps no log of its own: request lines (ZHONGSHU_REQUEST_LOG=on) go to stdout with method, path without query, status and duration — never bodies, e-mails or phones',
    },
  ];
  const rows = outcomes.reduce((n, o) => n + o.rows, 0);
  const report: StoredReport = { outcomes, derived, ledger: args.ledger };
  await tx
    .update(privacyErasures)
    .set({ status: 'done', report, rows_touched: rows, event_id: ev?.id ?? null, finished_at: new Date() })
    .where(eq(privacyErasures.id, erasureId));
  await recordChange(
    tx,
    ctx,
    'privacy_erasures',
    erasureId,
    'create',
    {
      status: { old: null, new: 'done' },
      rows_touched: { old: null, new: rows },
      trigger: { old: null, new: args.trigger },
    },
    { method: 'manual', reason: args.caseId ? `privacy case ${args.caseId}` : args.trigger },
  );
}

/**
 * Carries out an erasure (the erasure case's "carry out" action; privacy:manage): the ledger entry
 * first (hashed identifiers, the table and the append-only file), then everything else in the
 * caller's transaction. Returns the proof report.
 */
export async function runErasure(
  platform: Platform,
  tx: Tx,
  ctx: ActorContext,
  args: { caseId: string | null; contactId: string },
): Promise<ErasureReport> {
  if (ctx.actorType !== 'system' && !can(ctx, 'privacy:manage'))
    throw forbidden('Only a privacy manager may carry out an erasure');
  await assertMayActFor(tx, ctx, args.contactId);
  const subject = await subjectOf(tx, ctx.tenantId, args.contactId);
  const erasureId = randomUUID();
  const salt = await tenantSalt(tx, ctx.tenantId);
  const hashes = hashesOf(salt, { emails: subject.emails, phones: subject.phones });
  const alsoIds = await mergedDuplicateIds(tx, ctx.tenantId, subject.contactId);
  const entry: LedgerEntry = {
    id: randomUUID(),
    tenant_id: ctx.tenantId,
    erasure_id: erasureId,
    case_id: args.caseId,
    contact_id: subject.contactId,
    also_ids: alsoIds,
    salt,
    ...hashes,
    created_at: new Date().toISOString(),
  };
  const file = ledgerFile(platform.config);
  // Ledger first: the table row before any provider deletes a thing; the file line once the whole
  // erasure committed (a rolled-back erasure must leave no line a replay would act on).
  const { also_ids: _also, ...row } = entry;
  await tx.insert(privacyErasureLedger).values({ ...row, created_at: new Date(entry.created_at) });
  afterCommit(tx, () => appendLedgerFile(file, entry));
  await eraseSubject(platform, tx, ctx, subject, {
    erasureId,
    caseId: args.caseId,
    trigger: 'case',
    ledger: {
      entry_id: entry.id,
      identifiers_hashed: hashes.email_hashes.length + hashes.phone_hashes.length,
      file: 'privacy/erasure-ledger.jsonl',
    },
  });
  return erasureReport(tx, erasureId);
}

/** Updates an erasure's receipts from the webhook deliveries of its event (confirmed on a 2xx). */
export async function refreshReceipts(tx: Tx, tenantId: string, erasureId: string): Promise<void> {
  const [e] = await tx
    .select({ event_id: privacyErasures.event_id })
    .from(privacyErasures)
    .where(and(eq(privacyErasures.tenant_id, tenantId), eq(privacyErasures.id, erasureId)));
  if (!e?.event_id) return;
  for (const d of await deliveriesOfEvent(tx, tenantId, e.event_id)) {
    const state = d.status === 'succeeded' ? 'confirmed' : d.status === 'failed' ? 'failed' : 'pending';
    const error =
      d.last_error ?? (d.last_status_code && d.status !== 'succeeded' ? `HTTP ${d.last_status_code}` : null);
    await tx
      .insert(privacyErasureReceipts)
      .values({
        tenant_id: tenantId,
        erasure_id: erasureId,
        system_kind: 'webhook',
        system_id: d.endpoint_id,
        system_label: d.url,
        state,
        attempts: d.attempts,
        last_error: error,
        confirmed_at: state === 'confirmed' ? d.updated_at : null,
      })
      .onConflictDoUpdate({
        target: [
          privacyErasureReceipts.tenant_id,
          privacyErasureReceipts.erasure_id,
          privacyErasureReceipts.system_kind,
          privacyErasureReceipts.system_id,
        ],
        set: {
          state,
          attempts: d.attempts,
          last_error: error,
          confirmed_at: state === 'confirmed' ? d.updated_at : null,
          updated_at: new Date(),
        },
      });
  }
}

/** The cron job: receipts still pending are brought up to date for every tenant. */
export async function refreshPendingReceipts(platform: Platform): Promise<number> {
  const pending = await platform.database.systemTx((tx) =>
    tx
      .selectDistinct({
        tenant_id: privacyErasureReceipts.tenant_id,
        erasure_id: privacyErasureReceipts.erasure_id,
      })
      .from(privacyErasureReceipts)
      .where(eq(privacyErasureReceipts.state, 'pending'))
      .limit(1000),
  );
  for (const p of pending)
    await platform.database.tenantTx(p.tenant_id, (tx) => refreshReceipts(tx, p.tenant_id, p.erasure_id));
  return pending.length;
}

/** The stored proof report of an erasure (receipts as last refreshed). */
export async function erasureReport(tx: Tx, erasureId: string): Promise<ErasureReport> {
  const [e] = await tx.select().from(privacyErasures).where(eq(privacyErasures.id, erasureId));
  if (!e) throw notFound('Erasure');
  const receipts = await tx
    .select()
    .from(privacyErasureReceipts)
    .where(eq(privacyErasureReceipts.erasure_id, erasureId))
    .orderBy(privacyErasureReceipts.system_label);
  const stored = e.report as Partial<StoredReport>;
  const outcomes = stored.outcomes ?? [];
  return {
    id: e.id,
    case_id: e.case_id,
    contact_id: e.contact_id,
    status: e.status as ErasureReport['status'],
    trigger: e.trigger,
    actor_name: e.actor_name,
    started_at: e.started_at.toISOString(),
    finished_at: e.finished_at?.toISOString() ?? null,
    rows_touched: e.rows_touched,
    outcomes,
    tombstones: outcomes.filter((o) => o.action !== 'deleted' && o.rows > 0),
    derived: stored.derived ?? [],
    propagation: {
      event: ERASURE_EVENT,
      event_id: e.event_id,
      receipts: receipts.map((r) => ({
        system_kind: r.system_kind,
        system_id: r.system_id,
        system_label: r.system_label,
        state: r.state as ErasureReceipt['state'],
        attempts: r.attempts,
        last_error: r.last_error,
        confirmed_at: r.confirmed_at?.toISOString() ?? null,
      })),
    },
    ledger: stored.ledger ?? { entry_id: '', identifiers_hashed: 0, file: '' },
  };
}

/** A tenant's erasures, newest first (the proof reports' index). */
export async function listErasures(tx: Tx, limit = 100) {
  return tx
    .select({
      id: privacyErasures.id,
      case_id: privacyErasures.case_id,
      status: privacyErasures.status,
      trigger: privacyErasures.trigger,
      rows_touched: privacyErasures.rows_touched,
      started_at: privacyErasures.started_at,
      finished_at: privacyErasures.finished_at,
    })
    .from(privacyErasures)
    .orderBy(desc(privacyErasures.started_at))
    .limit(limit);
}

export interface ReplayResult {
  entries: number;
  restored_entries: number;
  contacts_erased: number;
  erasure_ids: string[];
}

/**
 * Re-applies the ledger to the current database (after restoring a backup): every entry of the
 * ledger file and table is put back into the table (with the lifts the file records), and the
 * erased contact — by id, plus the duplicates merged into it that the entry recorded — is erased
 * again if it is back (trigger 'replay'). E-mail and phone hashes only block re-creation: a
 * contact who shares a switchboard number or an info@ mailbox is never erased by them.
 */
export async function replayLedger(
  platform: Platform,
  opts: { tenantId?: string; file?: string } = {},
): Promise<ReplayResult> {
  const db = platform.database;
  const file = opts.file ?? ledgerFile(platform.config);
  const fromFile = readLedgerFile(file);
  const lifts = readLedgerLifts(file);
  const fromTable = await db.systemTx((tx) => tx.select().from(privacyErasureLedger));
  const byId = new Map<string, LedgerEntry>();
  for (const e of fromFile) byId.set(e.erasure_id, e);
  for (const r of fromTable)
    if (!byId.has(r.erasure_id))
      byId.set(r.erasure_id, {
        id: r.id,
        tenant_id: r.tenant_id,
        erasure_id: r.erasure_id,
        case_id: r.case_id,
        contact_id: r.contact_id,
        salt: r.salt,
        email_hashes: r.email_hashes,
        phone_hashes: r.phone_hashes,
        name_hashes: [],
        created_at: r.created_at.toISOString(),
      });
  const entries = [...byId.values()].filter((e) => !opts.tenantId || e.tenant_id === opts.tenantId);
  const result: ReplayResult = {
    entries: entries.length,
    restored_entries: 0,
    contacts_erased: 0,
    erasure_ids: [],
  };
  const tenants = new Set(entries.map((e) => e.tenant_id));
  for (const tenantId of tenants) {
    const mine = entries.filter((e) => e.tenant_id === tenantId);
    await db.tenantTx(tenantId, async (tx) => {
      for (const e of mine) {
        const put = await tx
          .insert(privacyErasureLedger)
          .values({
            id: e.id,
            tenant_id: e.tenant_id,
            erasure_id: e.erasure_id,
            case_id: e.case_id,
            contact_id: e.contact_id,
            salt: e.salt,
            email_hashes: e.email_hashes,
            phone_hashes: e.phone_hashes,
            name_hashes: [],
            created_at: new Date(e.created_at),
          })
          .onConflictDoNothing()
          .returning({ id: privacyErasureLedger.id });
        result.restored_entries += put.length;
      }
      // Blocks lifted after the backup was taken stay lifted.
      for (const l of lifts.filter((x) => x.tenant_id === tenantId))
        await tx
          .update(privacyErasureLedger)
          .set({
            lifted_at: new Date(l.lifted_at),
            lifted_by: l.lifted_by,
            lifted_by_name: l.lifted_by_name,
            lifted_reason: l.lifted_reason,
          })
          .where(
            and(
              eq(privacyErasureLedger.tenant_id, tenantId),
              eq(privacyErasureLedger.id, l.entry_id),
              isNull(privacyErasureLedger.lifted_at),
            ),
          );
    });
    // The erased records themselves, by id: the person's contact and their merged duplicates.
    const matches = new Map<string, LedgerEntry>();
    for (const e of mine)
      for (const id of [e.contact_id, ...(e.also_ids ?? [])])
        if (!matches.has(id) && UUID.test(id)) {
          const back = await db.tenantTx(tenantId, (tx) => contactForSubject(tx, tenantId, id));
          if (back) matches.set(id, e);
        }
    for (const [contactId, e] of matches) {
      const erasureId = randomUUID();
      await db.tenantTx(tenantId, async (tx) => {
        const subject = await subjectOf(tx, tenantId, contactId);
        await eraseSubject(
          platform,
          tx,
          systemContext(tenantId, 'privacy:replay', 'Ledger replay'),
          subject,
          {
            erasureId,
            caseId: e.case_id,
            trigger: 'replay',
            ledger: { entry_id: e.id, identifiers_hashed: 0, file: 'privacy/erasure-ledger.jsonl' },
          },
        );
      });
      result.contacts_erased++;
      result.erasure_ids.push(erasureId);
    }
  }
  platform.bus.nudge();
  return result;
}

/** "The person returned": lifts the re-import block of an e-mail (privacy:manage), audited. */
export async function liftErasureBlock(
  tx: Tx,
  ctx: ActorContext,
  input: { email: string; reason: string },
  opts: { file?: string } = {},
): Promise<{ lifted: number }> {
  const address = normaliseEmail(input.email);
  if (!address) throw unprocessable('Enter an e-mail address', [{ field: 'email', reason: 'required' }]);
  const salts = await tx
    .selectDistinct({ salt: privacyErasureLedger.salt })
    .from(privacyErasureLedger)
    .where(isNull(privacyErasureLedger.lifted_at));
  let lifted = 0;
  for (const { salt } of salts) {
    const [h] = hashesOf(salt, { emails: [address], phones: [], names: [] }).email_hashes;
    const at = new Date();
    const rows = await tx
      .update(privacyErasureLedger)
      .set({
        lifted_at: at,
        lifted_by: ctx.actorId,
        lifted_by_name: ctx.actorName,
        lifted_reason: input.reason,
      })
      .where(
        and(
          isNull(privacyErasureLedger.lifted_at),
          sql`${privacyErasureLedger.email_hashes} @> array[${h}]::text[]`,
        ),
      )
      .returning({ id: privacyErasureLedger.id });
    // The ledger file records the lift too (after commit), so a replay after a restore honours it.
    const file = opts.file;
    if (file)
      for (const r of rows) {
        const lift: LedgerLift = {
          kind: 'lift',
          tenant_id: ctx.tenantId,
          entry_id: r.id,
          lifted_at: at.toISOString(),
          lifted_by: ctx.actorId,
          lifted_by_name: ctx.actorName,
          lifted_reason: input.reason,
        };
        afterCommit(tx, () => appendLedgerFile(file, lift));
      }
    for (const r of rows)
      await recordChange(
        tx,
        ctx,
        'privacy_erasure_ledger',
        r.id,
        'update',
        {
          lifted_at: { old: null, new: new Date().toISOString() },
        },
        { reason: input.reason },
      );
    lifted += rows.length;
  }
  if (lifted === 0)
    throw unprocessable('No erased person has this e-mail address', [
      { field: 'email', reason: 'not blocked' },
    ]);
  return { lifted };
}

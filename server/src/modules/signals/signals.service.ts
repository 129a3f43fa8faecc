import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { recordChange } from '../../platform/audit/change-log.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import { cachesOf } from '../../platform/caches.js';
import { execRows, type Tx } from '../../platform/db/database.js';
import { emitEvent, mergeableEvent } from '../../platform/events/event-bus.js';
import { badRequest, notFound, unprocessable } from '../../platform/http/problem.js';
import { type ResourceDef, ResourceService } from '../../platform/records/resource.js';
import { accountService } from '../crm/crm.service.js';
import { invalidateCrmDirectory } from '../crm/crm-directory.service.js';
import { analyzeCompanyName, suggestShortName } from './company-names.js';
import { BUILTIN_TYPES, type CustomFieldSpec, customPayloadSchema } from './signal-catalogue.js';
import { signalSources, signals, signalTypes } from './signals.schema.js';
import { normalizeDomain, type Resolution, type Subject, subjectMatcher } from './subject-matcher.js';

export const MAX_BATCH = 5000;

/** Accounts one merged `signals.ingested` delivery may name at most (bounds one handler run). */
export const MAX_MERGED_ACCOUNTS = 1000;

/**
 * `signals.ingested` — payload { count, account_types: { account id: [signal types] },
 * received_at (the earliest, for merged deliveries), batch_id?, linked?, merged?, requeued? }.
 * Pending events of one tenant may reach subscribers merged (account types united, the earlier
 * received first, counts added), up to MAX_MERGED_ACCOUNTS accounts, so a subscriber that fell
 * behind catches up in one run. `requeued: true` (count 0) is a subscriber's carry-over: accounts
 * whose signals were announced before but not yet evaluated (see requeueIngested).
 */
export const SIGNALS_INGESTED = mergeableEvent('signals.ingested', (a, b) => {
  // Earlier announcements first, so a carry-over is not overtaken by newer ingests.
  const [into, next] = String(b.received_at ?? '') < String(a.received_at ?? '') ? [b, a] : [a, b];
  const accountTypes: Record<string, string[]> = {
    ...((into.account_types ?? {}) as Record<string, string[]>),
  };
  for (const [account, types] of Object.entries((next.account_types ?? {}) as Record<string, string[]>)) {
    const have = accountTypes[account];
    accountTypes[account] = have ? [...new Set([...have, ...types])] : types;
  }
  if (Object.keys(accountTypes).length > MAX_MERGED_ACCOUNTS) return null;
  const times = [into.received_at, next.received_at].filter((t): t is string => typeof t === 'string');
  return {
    count: Number(into.count ?? 0) + Number(next.count ?? 0),
    account_types: accountTypes,
    received_at: times.sort()[0] ?? null,
    merged: Number(into.merged ?? 1) + Number(next.merged ?? 1),
  };
});

const subjectSchema = z
  .object({
    account_id: z.uuid().optional(),
    contact_id: z.uuid().optional(),
    opportunity_id: z.uuid().optional(),
    domain: z.string().trim().min(1).max(300).optional(),
    email: z.string().trim().min(3).max(320).optional(),
    credit_code: z.string().trim().min(1).max(40).optional(),
    company_name: z.string().trim().min(1).max(300).optional(),
  })
  .strict()
  .refine(
    (s) => Object.values(s).some((v) => v !== undefined),
    'name at least one of account_id, contact_id, opportunity_id, domain, email, credit_code, company_name',
  );

export const signalInput = z.object({
  type: z.string().regex(/^[a-z][a-z0-9_]{1,62}$/, 'a snake_case type key'),
  source: z.string().trim().min(1).max(100),
  occurred_at: z.iso.datetime({ offset: true }),
  subject: subjectSchema,
  payload: z.record(z.string(), z.unknown()).default({}),
  strength: z.number().min(0).max(1).optional(),
  idempotency_key: z.string().min(1).max(200).optional(),
  source_event_id: z.string().min(1).max(200).optional(),
});
export type SignalInput = z.input<typeof signalInput>;

export interface ItemResult {
  index: number;
  id: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  matched: boolean;
  /** Unmatched, but its company name may mean one of a few accounts: waiting in the review queue with them. */
  review?: boolean;
  reason?: string;
}
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ItemResult[];
}

export interface IngestOptions {
  /** api | webhook | import:csv | simulator … (kept in provenance) */
  method: string;
  /** Forces the source of every item (webhooks: the source the secret belongs to). */
  forceSource?: string;
  /** Default source_event_id prefix (webhooks: the webhook-id header). */
  eventIdPrefix?: string;
  extraProvenance?: Record<string, unknown>;
}

/** Payload schemas of the tenant: built-ins plus admin-defined types. */
export async function typeSchemas(tx: Tx, ctx: ActorContext) {
  const custom = await tx.select().from(signalTypes).where(eq(signalTypes.tenant_id, ctx.tenantId));
  const map = new Map<string, z.ZodObject>();
  for (const k of BUILTIN_TYPES.values()) map.set(k.key, k.payload);
  for (const t of custom)
    map.set(t.key, customPayloadSchema(t.payload_fields as Record<string, CustomFieldSpec>));
  return map;
}

const issueText = (e: z.ZodError) =>
  e.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ');

/**
 * Ingests one batch (≤ 5,000) in the caller's transaction: validates every item on its own,
 * dedupes by key, resolves subjects, and writes all good items with ONE multi-row INSERT … ON
 * CONFLICT DO NOTHING (duplicates by idempotency key or source + source_event_id are stored once).
 * Emits one `signals.ingested` event for the stored ones. The caller commits before answering 202.
 *
 *   validate → dedupe within the batch → resolve subjects → store (and find earlier copies) →
 *   register new sources → emit
 */
export async function ingestSignals(
  tx: Tx,
  ctx: ActorContext,
  items: unknown[],
  opts: IngestOptions,
): Promise<IngestResult> {
  assertBatchSize(items);
  const results: ItemResult[] = new Array(items.length);
  const valid = validateItems(items, await typeSchemas(tx, ctx), opts, results);
  const { firsts, repeats } = dedupeInBatch(valid);
  const matcher = await subjectMatcher(tx, tenantWide(ctx));
  const rows = firsts.map((c) => signalRow(c, matcher.resolve(c.input.subject as Subject)));
  for (const c of valid) {
    const first = repeats.get(c.index);
    if (first !== undefined)
      results[c.index] = repeatOf(c, first, matcher.resolve(c.input.subject as Subject));
  }
  for (const r of rows)
    results[r.index] = {
      index: r.index,
      id: r.row.id,
      status: 'accepted',
      matched: r.row.matched,
      ...(r.review ? { review: true } : {}),
    };

  const provenance = ingestProvenance(ctx, opts);
  const inserted = await storeSignals(tx, ctx, rows, provenance);
  const stored = await markEarlierCopies(tx, ctx, rows, inserted, results);
  pointRepeatsAtFirst(results);
  const sources = new Set(stored.map((r) => r.source));
  if (sources.size)
    await registerSources(tx, ctx, [...sources], opts.method === 'webhook' ? 'webhook' : 'api');
  if (stored.length) await announceIngested(tx, ctx, stored, provenance.batch_id);
  return tally(results);
}

function assertBatchSize(items: unknown[]): void {
  if (items.length > MAX_BATCH)
    throw badRequest(`At most ${MAX_BATCH} signals per request`, [
      { field: '(root)', reason: `got ${items.length}` },
    ]);
}

/** An item that passed validation: its input, parsed payload, time and dedupe key. */
interface Candidate {
  index: number;
  input: z.infer<typeof signalInput>;
  payload: Record<string, unknown>;
  occurredAt: Date;
  sourceEventId: string | undefined;
  /** idempotency key, else source#source_event_id, else null (never deduped) */
  dedupeKey: string | null;
}

/** One row of the batch INSERT, with the item it came from. */
interface PendingRow {
  index: number;
  /** Unmatched with candidates (the review queue). */
  review: boolean;
  row: {
    id: string;
    type: string;
    source: string;
    source_event_id: string | null;
    idempotency_key: string | null;
    dedupe_key: string | null;
    occurred_at: string;
    subject: unknown;
    payload: Record<string, unknown>;
    strength: number | null;
    account_id: string | null;
    contact_id: string | null;
    opportunity_id: string | null;
    matched: boolean;
    match_method: string | null;
  };
}

const rejection = (index: number, reason: string): ItemResult => ({
  index,
  id: null,
  status: 'rejected',
  matched: false,
  reason,
});

/**
 * Step 1, validate: each item on its own against the input schema, its type's payload schema and
 * the 24 h future limit; a rejection is written to `results`, the rest come back as candidates.
 */
function validateItems(
  items: unknown[],
  schemas: Map<string, z.ZodObject>,
  opts: IngestOptions,
  results: ItemResult[],
): Candidate[] {
  const futureLimit = Date.now() + 24 * 3600_000;
  const out: Candidate[] = [];
  for (let i = 0; i < items.length; i++) {
    let raw = items[i];
    if (opts.forceSource && raw && typeof raw === 'object' && !Array.isArray(raw))
      raw = { ...(raw as object), source: opts.forceSource };
    const parsed = signalInput.safeParse(raw);
    if (!parsed.success) {
      results[i] = rejection(i, issueText(parsed.error));
      continue;
    }
    const s = parsed.data;
    const schema = schemas.get(s.type);
    if (!schema) {
      results[i] = rejection(i, `type: unknown signal type ${s.type} (see GET /api/v1/signal-types)`);
      continue;
    }
    const payload = schema.safeParse(s.payload);
    if (!payload.success) {
      results[i] = rejection(i, `payload: ${issueText(payload.error)}`);
      continue;
    }
    const occurredAt = new Date(s.occurred_at);
    if (occurredAt.getTime() > futureLimit) {
      results[i] = rejection(i, 'occurred_at: more than 24 h in the future');
      continue;
    }
    const sourceEventId =
      s.source_event_id ??
      (opts.eventIdPrefix
        ? items.length > 1
          ? `${opts.eventIdPrefix}:${i}`
          : opts.eventIdPrefix
        : undefined);
    const dedupeKey = s.idempotency_key ?? (sourceEventId ? `${s.source}#${sourceEventId}` : null);
    out.push({ index: i, input: s, payload: payload.data, occurredAt, sourceEventId, dedupeKey });
  }
  return out;
}

/**
 * Step 2, dedupe within the batch: the first item of each key is kept; later ones are repeats,
 * mapped to the index of that first item.
 */
function dedupeInBatch(valid: Candidate[]): { firsts: Candidate[]; repeats: Map<number, number> } {
  const firstOf = new Map<string, number>(); // dedupe_key → index of first item in this batch
  const firsts: Candidate[] = [];
  const repeats = new Map<number, number>();
  for (const c of valid) {
    if (c.dedupeKey !== null) {
      const first = firstOf.get(c.dedupeKey);
      if (first !== undefined) {
        repeats.set(c.index, first);
        continue;
      }
      firstOf.set(c.dedupeKey, c.index);
    }
    firsts.push(c);
  }
  return { firsts, repeats };
}

/** A repeat within the batch: a duplicate, pointed at its first item once that one has an id. */
const repeatOf = (c: Candidate, first: number, r: Resolution): ItemResult => ({
  index: c.index,
  id: null,
  status: 'duplicate',
  matched: r.matched,
  reason: `same key as item ${first}`,
});

/** Step 3, resolve subjects: the candidate as a row, with the account/contact/opportunity it names. */
function signalRow(c: Candidate, r: Resolution): PendingRow {
  const s = c.input;
  return {
    index: c.index,
    review: !r.matched && r.candidates.length > 0,
    row: {
      id: randomUUID(),
      type: s.type,
      source: s.source,
      source_event_id: c.sourceEventId ?? null,
      idempotency_key: s.idempotency_key ?? null,
      dedupe_key: c.dedupeKey,
      occurred_at: c.occurredAt.toISOString(),
      subject: s.subject,
      payload: c.payload,
      strength: s.strength ?? null,
      account_id: r.account_id,
      contact_id: r.contact_id,
      opportunity_id: r.opportunity_id,
      matched: r.matched,
      match_method: r.method,
    },
  };
}

function ingestProvenance(ctx: ActorContext, opts: IngestOptions) {
  return {
    method: opts.method,
    actor_type: ctx.actorType,
    actor_id: ctx.actorId,
    actor_name: ctx.actorName,
    request_id: ctx.requestId ?? null,
    batch_id: randomUUID(),
    ...(opts.extraProvenance ?? {}),
  };
}

/** Step 4, store: one multi-row INSERT … ON CONFLICT DO NOTHING; the ids actually inserted. */
async function storeSignals(
  tx: Tx,
  ctx: ActorContext,
  rows: PendingRow[],
  provenance: Record<string, unknown>,
): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (!rows.length) return inserted;
  const ret = await execRows<{ id: string }>(
    tx,
    sql`insert into signals (id, tenant_id, type, source, source_event_id, idempotency_key, dedupe_key, occurred_at, subject,
          payload, strength, provenance, account_id, contact_id, opportunity_id, matched, match_method)
        select x.id, ${ctx.tenantId}::uuid, x.type, x.source, x.source_event_id, x.idempotency_key, x.dedupe_key, x.occurred_at,
          x.subject, x.payload, x.strength, ${JSON.stringify(provenance)}::jsonb, x.account_id, x.contact_id, x.opportunity_id,
          x.matched, x.match_method
        from jsonb_to_recordset(${JSON.stringify(rows.map((r) => r.row))}::jsonb) as x(id uuid, type text, source text, source_event_id text,
          idempotency_key text, dedupe_key text, occurred_at timestamptz, subject jsonb, payload jsonb, strength real,
          account_id uuid, contact_id uuid, opportunity_id uuid, matched boolean, match_method text)
        on conflict do nothing
        returning id`,
  );
  for (const r of ret) inserted.add(r.id);
  return inserted;
}

/**
 * Items whose key was already stored earlier become duplicates pointing at the stored signal;
 * returns the rows this batch stored.
 */
async function markEarlierCopies(
  tx: Tx,
  ctx: ActorContext,
  rows: PendingRow[],
  inserted: Set<string>,
  results: ItemResult[],
): Promise<PendingRow['row'][]> {
  const copies = rows.filter((r) => !inserted.has(r.row.id));
  const existing = new Map<string, { id: string; matched: boolean }>();
  if (copies.length) {
    const dupKeys = copies.map((r) => r.row.dedupe_key);
    const found = await execRows<{ id: string; dedupe_key: string; matched: boolean }>(
      tx,
      sql`select id, dedupe_key, matched from signals where tenant_id = ${ctx.tenantId}::uuid and dedupe_key = any(array(select jsonb_array_elements_text(${JSON.stringify(dupKeys)}::jsonb)))`,
    );
    for (const f of found) existing.set(f.dedupe_key, f);
  }
  for (const { index, row } of copies) {
    const e = existing.get(row.dedupe_key as string);
    results[index] = { index, id: e?.id ?? null, status: 'duplicate', matched: e?.matched ?? false };
  }
  return rows.filter((r) => inserted.has(r.row.id)).map((r) => r.row);
}

/** Items that were duplicates of an earlier item in the same batch point at that item's id. */
function pointRepeatsAtFirst(results: ItemResult[]): void {
  for (const r of results) {
    if (r.status === 'duplicate' && r.id === null && r.reason?.startsWith('same key as item ')) {
      const first = results[Number(r.reason.slice('same key as item '.length))];
      r.id = first.id;
      delete r.reason;
    }
  }
}

/** Step 5, emit: one `signals.ingested` for the stored rows (account → the types it received). */
async function announceIngested(
  tx: Tx,
  ctx: ActorContext,
  stored: PendingRow['row'][],
  batchId: string,
): Promise<void> {
  const accountTypes: Record<string, string[]> = {};
  for (const row of stored) {
    if (!row.account_id) continue;
    const list = (accountTypes[row.account_id] ??= []);
    if (!list.includes(row.type)) list.push(row.type);
  }
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: SIGNALS_INGESTED,
    entity: 'signals',
    payload: {
      count: stored.length,
      account_types: accountTypes,
      received_at: new Date().toISOString(),
      batch_id: batchId,
    },
  });
}

function tally(results: ItemResult[]): IngestResult {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const r of results) {
    if (r.status === 'accepted') accepted++;
    else if (r.status === 'duplicate') duplicates++;
    else rejected++;
  }
  return { accepted, duplicates, rejected, results };
}

/**
 * Announces again, in the caller's transaction, accounts whose earlier-announced signals a
 * subscriber has not evaluated yet (it bounds its work per run): a `signals.ingested` carry-over
 * with count 0, keeping the original received_at.
 */
export async function requeueIngested(
  tx: Tx,
  ctx: ActorContext,
  accountTypes: Record<string, string[]>,
  opts: { receivedAt?: string } = {},
): Promise<void> {
  if (!Object.keys(accountTypes).length) return;
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: SIGNALS_INGESTED,
    entity: 'signals',
    payload: {
      count: 0,
      account_types: accountTypes,
      received_at: opts.receivedAt ?? new Date().toISOString(),
      requeued: true,
    },
  });
}

/** Sources are discovered from the signals that name them; the value matrix needs every one. */
async function registerSources(tx: Tx, ctx: ActorContext, keys: string[], kind: string) {
  const created = await execRows<{ id: string; key: string }>(
    tx,
    sql`insert into signal_sources (tenant_id, key, name, kind)
        select ${ctx.tenantId}::uuid, k, k, ${kind} from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as k
        on conflict do nothing returning id, key`,
  );
  for (const c of created) {
    await recordChange(
      tx,
      ctx,
      'signal_sources',
      c.id,
      'create',
      { key: { old: null, new: c.key } },
      { method: 'computed', reason: 'first signal from this source' },
    );
  }
}

// ---------- reading ----------

const uuidFilter = (column: PgColumn) => ({ column, op: 'eq' as const, schema: z.uuid() });
const when = z.iso.datetime({ offset: true }).or(z.iso.date());

export const signalService = new ResourceService({
  entity: 'signals',
  label: 'Signal',
  // The append-only store has no created_at/updated_at columns; the list/get paths used here need neither.
  table: signals as unknown as ResourceDef['table'],
  fields: [],
  sortable: { received_at: signals.received_at, occurred_at: signals.occurred_at },
  defaultSort: '-received_at',
  filters: {
    account_id: uuidFilter(signals.account_id),
    contact_id: uuidFilter(signals.contact_id),
    opportunity_id: uuidFilter(signals.opportunity_id),
    type: { column: signals.type, op: 'in', schema: z.array(z.string()) },
    source: { column: signals.source, op: 'eq' },
    matched: {
      column: signals.matched,
      op: 'eq',
      schema: z.enum(['true', 'false']).transform((v) => v === 'true'),
    },
    from: { column: signals.occurred_at, op: 'gte', schema: when },
    to: { column: signals.occurred_at, op: 'lte', schema: when },
  },
  search: (q) => sql`(${signals.subject}::text ilike ${`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`})`,
  // A signal about a record the reader may not see is hidden with it (record-level sharing).
  visibleWith: {
    references: [
      { entity: 'accounts', column: signals.account_id },
      { entity: 'contacts', column: signals.contact_id },
      { entity: 'opportunities', column: signals.opportunity_id },
    ],
  },
} satisfies ResourceDef);

// ---------- review queue: link an unmatched signal, learn the alias/domain ----------

export async function linkSignal(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  input: { account_id: string; contact_id?: string | null; learn?: boolean },
) {
  const signal = await signalService.find(tx, ctx, id, true);
  if (!signal) throw notFound('Signal');
  const account = await accountService.find(tx, ctx, input.account_id);
  if (!account)
    throw unprocessable('No such account', [
      { field: 'account_id', reason: 'no such account in this tenant' },
    ]);
  const before = {
    account_id: signal.account_id ?? null,
    matched: signal.matched,
    match_method: signal.match_method ?? null,
  };
  const [row] = await tx
    .update(signals)
    .set({
      account_id: input.account_id,
      contact_id: input.contact_id ?? (signal.contact_id as string | null) ?? null,
      matched: true,
      match_method: 'manual',
      linked_by: ctx.actorId,
      linked_at: new Date(),
    })
    .where(and(eq(signals.tenant_id, ctx.tenantId), eq(signals.id, id)))
    .returning();
  await recordChange(tx, ctx, 'signals', id, 'update', {
    account_id: { old: before.account_id, new: input.account_id },
    matched: { old: before.matched, new: true },
    match_method: { old: before.match_method, new: 'manual' },
  });

  // Learn: the subject's company name becomes an alias, its domain a domain of the account (audited).
  const learned: { aliases: string[]; domains: string[] } = { aliases: [], domains: [] };
  if (input.learn !== false) {
    const subject = (signal.subject ?? {}) as Subject;
    const aliases = [...((account.aliases as string[]) ?? [])];
    const domains = [...((account.domains as string[]) ?? [])];
    if (subject.company_name) {
      // Learned when the resolver would not link the name to this account by itself (unknown,
      // ambiguous, or only a candidate): as an alias, an exact match of this account from now on.
      const name = subject.company_name.trim();
      const exact = analyzeCompanyName(name).exact;
      const known = [account.name as string, ...aliases].some((a) => analyzeCompanyName(a).exact === exact);
      const matcher = await subjectMatcher(tx, tenantWide(ctx));
      if (exact && !known && matcher.resolveName(name).account_id !== input.account_id) {
        aliases.push(name);
        learned.aliases.push(name);
      }
    }
    const domainCandidates = [subject.domain, subject.email?.split('@')[1]].filter(Boolean) as string[];
    for (const d of domainCandidates) {
      const nd = normalizeDomain(d);
      if (
        /^([a-z0-9-]+\.)+[a-z]{2,}$/.test(nd) &&
        !domains.includes(nd) &&
        !PUBLIC_MAIL_DOMAINS.has(nd) &&
        subject.domain
      ) {
        domains.push(nd);
        learned.domains.push(nd);
      }
    }
    if (learned.aliases.length || learned.domains.length) {
      await accountService.update(
        tx,
        ctx,
        input.account_id,
        { aliases, domains },
        { reason: `learned from signal ${id}`, method: 'manual' },
      );
      invalidateCrmDirectory(cachesOf(tx), ctx.tenantId);
    }
  }

  // Re-resolve the rest of the review queue with what was learned.
  const alsoLinked =
    learned.aliases.length || learned.domains.length ? await reresolveUnmatched(tx, ctx) : [];
  const accountTypes: Record<string, string[]> = { [input.account_id]: [row.type] };
  for (const s of alsoLinked) {
    const list = (accountTypes[s.account_id] ??= []);
    if (!list.includes(s.type)) list.push(s.type);
  }
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: SIGNALS_INGESTED,
    entity: 'signals',
    entityId: id,
    payload: {
      count: 1 + alsoLinked.length,
      account_types: accountTypes,
      received_at: new Date().toISOString(),
      linked: true,
    },
  });
  return { signal: row, learned, also_linked: alsoLinked.map((s) => s.id) };
}

export interface ReviewCandidate {
  account_id: string;
  account_name: string;
  /** 0–1, how sure the resolver is that the signal means this account. */
  confidence: number;
  /** How the name met the account (company_name, company_name:no_region, company_name:short_name, …). */
  method: string;
  /** A short name (简称) for the account, from its registered name: worth adding as an alias. */
  suggested_short_name: string | null;
}

/**
 * The review queue: unmatched signals, each with the accounts its company name may mean (best
 * first), resolved over the current directory and limited to the accounts the reader may see.
 */
export async function reviewQueue(
  tx: Tx,
  ctx: ActorContext,
  query: { limit?: number; cursor?: string; type?: string; source?: string },
) {
  const page = await signalService.list(tx, ctx, { ...query, matched: 'false' });
  const matcher = await subjectMatcher(tx, tenantWide(ctx));
  const proposed = page.data.map((s) => matcher.resolve((s.subject ?? {}) as Subject).candidates);
  const visible = await accountService.findMany(
    tx,
    ctx,
    proposed.flat().map((c) => c.account_id),
  );
  const data = page.data.map((s, i) => ({
    ...s,
    candidates: proposed[i].flatMap((c): ReviewCandidate[] => {
      const account = visible.get(c.account_id);
      if (!account) return [];
      const name = String(account.name);
      return [{ ...c, account_name: name, suggested_short_name: suggestShortName(name) }];
    }),
  }));
  return { data, next_cursor: page.next_cursor };
}

const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'qq.com',
  '163.com',
  '126.com',
  'outlook.com',
  'hotmail.com',
  'yahoo.com',
  'sina.com',
  'foxmail.com',
  'icloud.com',
]);

async function reresolveUnmatched(tx: Tx, ctx: ActorContext) {
  const matcher = await subjectMatcher(tx, tenantWide(ctx));
  const pending = await tx
    .select({ id: signals.id, subject: signals.subject, type: signals.type })
    .from(signals)
    .where(and(eq(signals.tenant_id, ctx.tenantId), eq(signals.matched, false)))
    .limit(10_000);
  const linked: { id: string; account_id: string; type: string }[] = [];
  for (const p of pending) {
    const r = matcher.resolve(p.subject as Subject);
    if (!r.matched || !r.account_id) continue;
    await tx
      .update(signals)
      .set({
        account_id: r.account_id,
        contact_id: r.contact_id,
        opportunity_id: r.opportunity_id,
        matched: true,
        match_method: `learned:${r.method}`,
        linked_by: ctx.actorId,
        linked_at: new Date(),
      })
      .where(and(eq(signals.tenant_id, ctx.tenantId), eq(signals.id, p.id)));
    await recordChange(
      tx,
      ctx,
      'signals',
      p.id,
      'update',
      { account_id: { old: null, new: r.account_id }, matched: { old: false, new: true } },
      { method: 'computed', reason: 'matched by a learned alias/domain' },
    );
    linked.push({ id: p.id, account_id: r.account_id, type: p.type });
  }
  return linked;
}

// ---------- sources and custom types ----------

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export const sourceService = new ResourceService({
  entity: 'signal_sources',
  label: 'Signal source',
  table: signalSources,
  fields: ['key', 'name', 'kind', 'description', 'active', 'override_score', 'override_reason'],
  sortable: { key: signalSources.key, created_at: signalSources.created_at },
  defaultSort: 'key',
  filters: {},
  search: (q) => sql`${signalSources.key} ilike ${`%${q}%`}`,
  present: ({ webhook_secret, ...rest }) => ({ ...rest, has_webhook_secret: Boolean(webhook_secret) }),
  async prepare(_tx, _ctx, values, existing) {
    if (
      values.override_score !== undefined &&
      values.override_score !== null &&
      !values.override_reason &&
      !existing?.override_reason
    ) {
      throw unprocessable('An override needs a reason', [
        { field: 'override_reason', reason: 'required with override_score' },
      ]);
    }
    if (values.override_score === null) values.override_reason = values.override_reason ?? null;
    return values;
  },
} satisfies ResourceDef);

export const signalTypeService = new ResourceService({
  entity: 'signal_types',
  label: 'Signal type',
  table: signalTypes,
  fields: ['key', 'name', 'name_en', 'description', 'payload_fields'],
  sortable: { key: signalTypes.key, created_at: signalTypes.created_at },
  defaultSort: 'key',
  filters: {},
  search: (q) => sql`${signalTypes.key} ilike ${`%${q}%`}`,
  async prepare(_tx, _ctx, values, existing) {
    const key = (values.key ?? existing?.key) as string;
    if (!existing && BUILTIN_TYPES.has(key))
      throw unprocessable('Built-in type', [
        { field: 'key', reason: 'a built-in type already has this key' },
      ]);
    if (existing && values.key !== undefined && values.key !== existing.key)
      throw unprocessable('key cannot change', [{ field: 'key', reason: 'create a new type instead' }]);
    return values;
  },
} satisfies ResourceDef);

/** The source a webhook belongs to (no tenant known yet: looked up by its id across tenants). */
export async function findSourceForWebhook(tx: Tx, id: string) {
  if (!z.uuid().safeParse(id).success) return undefined;
  const rows = await tx.select().from(signalSources).where(eq(signalSources.id, id));
  return rows[0];
}

/**
 * The CRM directory is cached per tenant, so it is always built from every record of the tenant (a
 * system context), never from what one user may see under record-level sharing.
 */
function tenantWide(ctx: ActorContext): ActorContext {
  return systemContext(ctx.tenantId, ctx.source, ctx.actorName);
}

import { and, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { type ActorContext, can } from '../../platform/auth/auth-context.js';
import type { Tx } from '../../platform/db/database.js';
import { emitEvent } from '../../platform/events/event-bus.js';
import { badRequest, conflict, forbidden, ProblemError, unprocessable } from '../../platform/http/problem.js';
import { moveCounts } from '../../platform/records/record-moves.js';
import type { ResourceService } from '../../platform/records/resource.js';
import {
  canManageShares,
  listShares,
  readableRef,
  upsertShare,
} from '../../platform/sharing/sharing.service.js';
import { activities, contacts, crmMerges, opportunities } from './crm.schema.js';
import { accountService, activityService, contactService, opportunityService } from './crm.service.js';
import { type MergeEntity, mergedInto, mergeThatTook } from './crm-merge-lookup.js';

/**
 * Merging two accounts or two contacts (issue 16), after Salesforce's merge (a master record and
 * per-field picks), HubSpot's (the primary wins, the merged id keeps pointing at it) and Twenty's
 * mergeManyRecords (related rows re-pointed, the loser removed):
 *
 *  - the CRM's own related rows (contacts, opportunities, activities; for contacts the activities
 *    naming them) are re-pointed through their ResourceServices (change log + events), as the caller
 *    but regardless of the caller's sharing on each child (the caller may edit both records);
 *  - the merged record is deleted through its service and kept, whole, on the merge row;
 *  - the survivor takes the picked / missing values through its service;
 *  - `accounts.merged` / `contacts.merged` tell the other modules, which move their own rows and
 *    write what they moved in the platform's record_moves ledger (batch = the merge id);
 *  - undo (30 days) reverses each step: the survivor's values before, the merged record with its
 *    own values and id, exactly the moved rows back, then `*.unmerged` for the other modules.
 */

export type { MergeEntity } from './crm-merge-lookup.js';

export const UNDO_DAYS = 30;

const SERVICES: Record<MergeEntity, ResourceService> = { account: accountService, contact: contactService };
const PLURAL: Record<MergeEntity, 'accounts' | 'contacts'> = { account: 'accounts', contact: 'contacts' };
const LABEL: Record<MergeEntity, string> = { account: 'Account', contact: 'Contact' };

/** Fields a merge never copies (identity, bookkeeping, derived keys). */
const NOT_MERGED = new Set(['id', 'tenant_id', 'created_at', 'updated_at', 'name_pinyin', 'name_initials']);
/** Identifier lists the survivor keeps the union of unless a side is picked. */
const UNION = new Set(['aliases', 'domains', 'tags', 'emails', 'phones', 'preferences']);

interface MovedRows {
  contacts?: string[];
  opportunities?: string[];
  activities?: { id: string; account_id?: string | null; contact_ids?: string[] }[];
}

export interface Merge {
  id: string;
  entity: MergeEntity;
  survivor_id: string;
  merged_id: string;
  merged_name: string;
  status: 'merged' | 'undone';
  created_at: string;
  created_by: string | null;
  created_by_name: string | null;
  undo_until: string;
  undone_at: string | null;
  moved: Record<string, number>;
}

type MergeRow = typeof crmMerges.$inferSelect;

/**
 * `<entity>.merged` / `.unmerged`: which merge, the survivor and the merged record, and the CRM rows
 * crm moved (the other modules move their own rows; they read the ids with mergeEventIds).
 */
async function emitMergeEvent(
  tx: Tx,
  ctx: ActorContext,
  entity: MergeEntity,
  what: 'merged' | 'unmerged',
  row: MergeRow,
  moved: MovedRows,
): Promise<void> {
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: `${PLURAL[entity]}.${what}`,
    entity: PLURAL[entity],
    entityId: row.survivor_id,
    payload: {
      merge_id: row.id,
      survivor_id: row.survivor_id,
      merged_id: row.merged_id,
      merged_name: row.merged_name,
      moved: {
        contacts: moved.contacts ?? [],
        opportunities: moved.opportunities ?? [],
        activities: (moved.activities ?? []).map((a) => a.id),
      },
      source: ctx.source,
    },
  });
}
type SavedShare = { subject_type: 'user' | 'team'; subject_id: string; access: 'read' | 'edit' };

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' &&
    !(v instanceof Date) &&
    !Array.isArray(v) &&
    Object.keys(v as object).length === 0);

/** The Merge as the API shows it: own counts plus what the other modules wrote in the ledger. */
async function present(tx: Tx, ctx: ActorContext, rows: MergeRow[]): Promise<Merge[]> {
  const ledger = await moveCounts(
    tx,
    ctx.tenantId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const own = r.moved_rows as MovedRows;
    const moved: Record<string, number> = {};
    for (const [k, v] of Object.entries(own)) if (Array.isArray(v)) moved[k] = v.length;
    for (const [k, n] of Object.entries(ledger.get(r.id) ?? {})) moved[k] = (moved[k] ?? 0) + n;
    return {
      id: r.id,
      entity: r.entity as MergeEntity,
      survivor_id: r.survivor_id,
      merged_id: r.merged_id,
      merged_name: r.merged_name,
      status: r.status as 'merged' | 'undone',
      created_at: r.created_at.toISOString(),
      created_by: r.created_by,
      created_by_name: r.created_by_name,
      undo_until: r.undo_until.toISOString(),
      undone_at: r.undone_at ? r.undone_at.toISOString() : null,
      moved,
    };
  });
}

/** Children are moved as the caller (audit) but whatever the caller's sharing on each of them. */
const moverOf = (ctx: ActorContext): ActorContext => ({ ...ctx, permissions: new Set(['*']) });

/**
 * A merge writes the survivor and the records it moves (crm:write besides crm:merge: an API key or
 * OAuth client with crm:merge alone may not) and takes the merged record away, which is a delete:
 * crm:delete, or the merged record is one the caller owns (its owner, anyone above the owner in
 * the manager chain, admins — the house's owner rule, as for sharing it).
 */
function mayMerge(ctx: ActorContext): void {
  const needed = 'crm:write';
  if (!can(ctx, needed))
    throw new ProblemError(403, 'Forbidden', `Your role (${ctx.role}) lacks the permission ${needed}`, [
      { field: 'permission', reason: needed },
    ]);
}

async function mayTakeAway(tx: Tx, ctx: ActorContext, entity: MergeEntity, merged: Record<string, unknown>) {
  if (can(ctx, 'crm:delete')) return;
  if (await canManageShares(tx, ctx, merged, SERVICES[entity].def.entity)) return;
  throw new ProblemError(
    403,
    'Forbidden',
    'Only its owner, their managers or someone who may delete records may merge this record away',
    [{ field: 'merged_id', reason: 'needs crm:delete or ownership of the merged record' }],
  );
}

/** A record the caller must be able to edit; 404 naming the field when they cannot see it. */
async function editable(tx: Tx, ctx: ActorContext, entity: MergeEntity, id: string, field: string) {
  const svc = SERVICES[entity];
  const found = await svc.find(tx, ctx, id, true);
  if (!found && (await mergedInto(tx, ctx, entity, id)))
    throw conflict(`This ${entity} was just merged into another record`, [
      { field, reason: 'already merged into another record' },
    ]);
  if (!found)
    throw new ProblemError(404, 'Not Found', `${LABEL[entity]} not found`, [
      { field, reason: `no such ${entity}` },
    ]);
  const { access } = await svc.getWithAccess(tx, ctx, id);
  if (access !== 'edit') throw forbidden('You may view this record but not change it');
  return found;
}

/** The survivor's new values: picked sides, else the survivor's, with empty ones filled from the merged. */
function survivorPatch(
  entity: MergeEntity,
  survivor: Record<string, unknown>,
  merged: Record<string, unknown>,
  picks: Record<string, 'survivor' | 'merged'>,
): Record<string, unknown> {
  const fields = SERVICES[entity].def.fields.filter((f) => !NOT_MERGED.has(f));
  const unknown = Object.keys(picks).filter((f) => !fields.includes(f));
  if (unknown.length)
    throw unprocessable(
      'Some fields cannot be picked',
      unknown.map((f) => ({ field: `fields.${f}`, reason: 'not a field of this record' })),
    );
  const patch: Record<string, unknown> = {};
  for (const f of fields) {
    const s = survivor[f];
    const m = merged[f];
    const pick = picks[f];
    if (pick === 'merged') {
      if (JSON.stringify(s ?? null) !== JSON.stringify(m ?? null)) patch[f] = m ?? null;
    } else if (pick === 'survivor') {
    } else if (UNION.has(f) && Array.isArray(s) && Array.isArray(m)) {
      const extra = m.filter((x) => !s.includes(x));
      if (extra.length) patch[f] = [...s, ...extra];
    } else if (f === 'custom' && s && m && typeof s === 'object' && typeof m === 'object') {
      const filled = {
        ...(m as object),
        ...Object.fromEntries(Object.entries(s).filter(([, v]) => !isEmpty(v))),
      };
      if (JSON.stringify(filled) !== JSON.stringify(s)) patch[f] = filled;
    } else if (isEmpty(s) && !isEmpty(m)) {
      patch[f] = m;
    }
  }
  // The merged account's name stays findable as an alias of the survivor (signals name it).
  if (entity === 'account' && picks.aliases === undefined && picks.name !== 'merged') {
    const aliases = (patch.aliases ?? survivor.aliases ?? []) as string[];
    const name = String(merged.name ?? '');
    if (name && name !== survivor.name && !aliases.includes(name)) patch.aliases = [...aliases, name];
  }
  return patch;
}

const reasonOf = (name: string, survivorName: string) => `merge of ${name} into ${survivorName}`;

/** POST /accounts/merge, /contacts/merge. */
export async function mergeRecords(
  tx: Tx,
  ctx: ActorContext,
  entity: MergeEntity,
  body: { survivor_id: string; merged_id: string; fields?: Record<string, 'survivor' | 'merged'> },
): Promise<Merge> {
  if (body.survivor_id === body.merged_id)
    throw unprocessable('A record cannot be merged into itself', [
      { field: 'merged_id', reason: 'must differ from survivor_id' },
    ]);
  mayMerge(ctx);
  const svc = SERVICES[entity];
  // Both rows locked in id order, so A→B and B→A at the same time wait for each other instead of
  // deadlocking; the later one then finds its record merged (409).
  for (const id of [body.survivor_id, body.merged_id].sort()) await svc.find(tx, ctx, id, true);
  const survivor = await editable(tx, ctx, entity, body.survivor_id, 'survivor_id');
  const merged = await editable(tx, ctx, entity, body.merged_id, 'merged_id');
  await mayTakeAway(tx, ctx, entity, merged);
  const patch = survivorPatch(entity, survivor, merged, body.fields ?? {});
  const mover = moverOf(ctx);
  const opts = { reason: reasonOf(String(merged.name), String(survivor.name)), method: 'merge' };
  const moved: MovedRows = {};
  const S = body.survivor_id;
  const M = body.merged_id;

  if (entity === 'account') {
    const ids = async (table: typeof contacts | typeof opportunities | typeof activities) =>
      (
        await tx
          .select({ id: table.id })
          .from(table)
          .where(and(eq(table.tenant_id, ctx.tenantId), eq(table.account_id, M)))
      ).map((r) => r.id);
    moved.contacts = await ids(contacts);
    moved.opportunities = await ids(opportunities);
    moved.activities = (await ids(activities)).map((id) => ({ id, account_id: M }));
    const to = (list: string[]) => list.map((id) => ({ id, patch: { account_id: S } }));
    await contactService.bulkUpdate(tx, mover, to(moved.contacts), opts);
    await opportunityService.bulkUpdate(tx, mover, to(moved.opportunities), opts);
    await activityService.bulkUpdate(tx, mover, to(moved.activities.map((a) => a.id)), opts);
  } else {
    const acts = await tx
      .select({ id: activities.id, contact_ids: activities.contact_ids })
      .from(activities)
      .where(
        and(eq(activities.tenant_id, ctx.tenantId), sql`${activities.contact_ids} @> array[${M}]::uuid[]`),
      );
    moved.activities = acts.map((a) => ({ id: a.id, contact_ids: a.contact_ids }));
    await activityService.bulkUpdate(
      tx,
      mover,
      acts.map((a) => ({
        id: a.id,
        patch: { contact_ids: [...new Set(a.contact_ids.map((c) => (c === M ? S : c)))] },
      })),
      opts,
    );
  }

  // The merged record leaves (its shares with it); its values and shares stay on the merge row for undo.
  const shares = (await listShares(tx, ctx, null, svc.def.entity, M)).map((s) => ({
    subject_type: s.subject_type,
    subject_id: s.subject_id,
    access: s.access,
  }));
  await svc.remove(tx, ctx, M, opts);
  const before: Record<string, unknown> = {};
  for (const k of Object.keys(patch)) before[k] = survivor[k] ?? null;
  if (Object.keys(patch).length) await svc.update(tx, ctx, S, patch, opts);

  const [row] = await tx
    .insert(crmMerges)
    .values({
      tenant_id: ctx.tenantId,
      entity,
      survivor_id: S,
      merged_id: M,
      merged_name: String(merged.name),
      merged_record: merged,
      survivor_before: before,
      survivor_after: patch,
      merged_shares: shares,
      moved_rows: moved,
      created_by:
        ctx.actorType === 'user' || ctx.actorType === 'api_key' ? (ctx.creatorId ?? ctx.actorId) : null,
      created_by_name: ctx.actorName,
      undo_until: new Date(Date.now() + UNDO_DAYS * 86_400_000),
    })
    .returning();
  await emitMergeEvent(tx, ctx, entity, 'merged', row, moved);
  return (await present(tx, ctx, [row]))[0];
}

/** A serialisation failure or deadlock between two merges, as a 409 in the users' words. */
export function concurrentMergeConflict(err: unknown): unknown {
  const code = (e: unknown) =>
    e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  const cause = err && typeof err === 'object' && 'cause' in err ? (err as { cause: unknown }).cause : null;
  if (['40P01', '40001'].includes(code(err)) || ['40P01', '40001'].includes(code(cause)))
    return conflict('These records were being merged or changed at the same time; please try again');
  return err;
}

/** Merges the caller may see: the survivor is a record they may read. */
async function visible(tx: Tx, ctx: ActorContext): Promise<SQL | undefined> {
  const acc = await readableRef(tx, ctx, 'accounts', crmMerges.survivor_id);
  const con = await readableRef(tx, ctx, 'contacts', crmMerges.survivor_id);
  if (!acc && !con) return undefined;
  return or(
    and(eq(crmMerges.entity, 'account'), acc ?? sql`true`),
    and(eq(crmMerges.entity, 'contact'), con ?? sql`true`),
  );
}

async function mergeRow(tx: Tx, ctx: ActorContext, id: string, forUpdate = false): Promise<MergeRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ProblemError(404, 'Not Found', 'Merge not found');
  const q = tx
    .select()
    .from(crmMerges)
    .where(and(eq(crmMerges.tenant_id, ctx.tenantId), eq(crmMerges.id, id), await visible(tx, ctx)));
  const [row] = await (forUpdate ? q.for('update') : q);
  if (!row) throw new ProblemError(404, 'Not Found', 'Merge not found');
  return row;
}

export async function getMerge(tx: Tx, ctx: ActorContext, id: string): Promise<Merge> {
  return (await present(tx, ctx, [await mergeRow(tx, ctx, id)]))[0];
}

/** GET /merges: newest first, keyset-paged on (created_at, id). */
export async function listMerges(
  tx: Tx,
  ctx: ActorContext,
  q: { entity?: MergeEntity; record_id?: string; limit?: number; cursor?: string },
): Promise<{ data: Merge[]; next_cursor: string | null }> {
  const limit = q.limit ?? 50;
  let after: SQL | undefined;
  if (q.cursor) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8'));
    } catch {}
    if (!Array.isArray(parsed) || parsed.length !== 2 || parsed.some((p) => typeof p !== 'string'))
      throw badRequest('Invalid cursor', [{ field: 'cursor', reason: 'not a cursor returned by this API' }]);
    after = sql`(${crmMerges.created_at}, ${crmMerges.id}) < (${parsed[0]}::timestamptz, ${parsed[1]}::uuid)`;
  }
  const rows = await tx
    .select({ row: crmMerges, at: sql<string>`${crmMerges.created_at}::text` })
    .from(crmMerges)
    .where(
      and(
        eq(crmMerges.tenant_id, ctx.tenantId),
        q.entity ? eq(crmMerges.entity, q.entity) : undefined,
        q.record_id
          ? or(eq(crmMerges.survivor_id, q.record_id), eq(crmMerges.merged_id, q.record_id))
          : undefined,
        after,
        await visible(tx, ctx),
      ),
    )
    .orderBy(desc(crmMerges.created_at), desc(crmMerges.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: await present(
      tx,
      ctx,
      page.map((r) => r.row),
    ),
    next_cursor:
      rows.length > limit && last
        ? Buffer.from(JSON.stringify([last.at, last.row.id])).toString('base64url')
        : null,
  };
}

/** Stored JSON back into column values (timestamps were serialised as ISO strings). */
function revive(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (NOT_MERGED.has(k) && k !== 'id' && k !== 'created_at') continue;
    out[k] = typeof v === 'string' && k.endsWith('_at') ? new Date(v) : v;
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * What undo writes on the survivor: a field the merge changed goes back to its value before only
 * while it still holds the value the merge wrote (an edit since then is kept); from a list the
 * merge extended only the items it added leave; `custom` key by key. Merges stored before
 * `survivor_after` existed (empty) revert every field they changed.
 */
function revertPatch(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  current: Record<string, unknown>,
): Record<string, unknown> {
  if (Object.keys(after).length === 0) return before;
  const out: Record<string, unknown> = {};
  for (const [f, old] of Object.entries(before)) {
    if (!(f in after)) continue;
    const wrote = after[f];
    const now = current[f];
    if (same(now, wrote)) {
      out[f] = old;
    } else if (Array.isArray(now) && Array.isArray(wrote)) {
      const was = Array.isArray(old) ? old : [];
      const added = wrote.filter((x) => !was.some((y) => same(x, y)));
      const next = now.filter((x) => !added.some((y) => same(x, y)));
      if (next.length !== now.length) out[f] = next;
    } else if (f === 'custom' && now && wrote && typeof now === 'object' && typeof wrote === 'object') {
      const was = (old && typeof old === 'object' ? old : {}) as Record<string, unknown>;
      const next = { ...(now as Record<string, unknown>) };
      let changed = false;
      for (const [k, v] of Object.entries(wrote as Record<string, unknown>)) {
        if (same(v, was[k]) || !same(next[k], v)) continue;
        if (was[k] === undefined) delete next[k];
        else next[k] = was[k];
        changed = true;
      }
      if (changed) out[f] = next;
    }
  }
  return out;
}

/**
 * Undo puts the merged record back beside the survivor, so the survivor must still be there: when
 * it was itself merged into a third record since, the later merge is undone first (named in the
 * problem's `blocking_merge_id`, the record it went into in `merged_into`).
 */
async function refuseWhenSurvivorMergedSince(
  tx: Tx,
  ctx: ActorContext,
  entity: MergeEntity,
  survivorId: string,
) {
  const later = await mergeThatTook(tx, ctx, entity, survivorId);
  if (later)
    throw new ProblemError(
      409,
      'Conflict',
      'The record that stayed has since been merged into another record: undo that later merge first',
      [{ field: 'survivor_id', reason: 'merged into another record after this merge' }],
      'about:blank',
      { blocking_merge_id: later.id, merged_into: later.survivor_id },
    );
}

/** POST /merges/:id/undo. */
export async function undoMerge(tx: Tx, ctx: ActorContext, id: string): Promise<Merge> {
  mayMerge(ctx);
  const row = await mergeRow(tx, ctx, id, true);
  if (row.status === 'undone') throw conflict('This merge was already undone');
  if (row.undo_until.getTime() < Date.now())
    throw conflict(`A merge can be undone for ${UNDO_DAYS} days only`, [
      { field: 'undo_until', reason: 'the time to undo this merge has passed' },
    ]);
  const entity = row.entity as MergeEntity;
  const svc = SERVICES[entity];
  await refuseWhenSurvivorMergedSince(tx, ctx, entity, row.survivor_id);
  await editable(tx, ctx, entity, row.survivor_id, 'survivor_id');
  const mover = moverOf(ctx);
  const merged = row.merged_record as Record<string, unknown>;
  const opts = { reason: `undo of the merge of ${row.merged_name}`, method: 'merge' };
  const current = await svc.find(tx, mover, row.survivor_id, true);
  const revert = current
    ? revertPatch(
        row.survivor_before as Record<string, unknown>,
        row.survivor_after as Record<string, unknown>,
        current,
      )
    : {};
  // The survivor first: it may hold a value (a credit code) the merged record gets back.
  if (Object.keys(revert).length) await svc.update(tx, mover, row.survivor_id, revive(revert), opts);
  await svc.create(tx, mover, revive(merged), opts);
  // Whoever the merged record was shared with sees it again.
  for (const share of (row.merged_shares ?? []) as SavedShare[])
    await upsertShare(tx, mover, svc.def.entity, row.merged_id, share);
  const moved = row.moved_rows as MovedRows;
  const S = row.survivor_id;
  const M = row.merged_id;
  if (entity === 'account') {
    // Only the rows still on the survivor go back: one moved elsewhere since stays where it is now.
    const stillOnSurvivor = async (
      table: typeof contacts | typeof opportunities | typeof activities,
      list: string[] | undefined,
    ) =>
      list?.length
        ? (
            await tx
              .select({ id: table.id })
              .from(table)
              .where(and(eq(table.tenant_id, ctx.tenantId), inArray(table.id, list), eq(table.account_id, S)))
          ).map((r) => ({ id: r.id, patch: { account_id: M } }))
        : [];
    await contactService.bulkUpdate(tx, mover, await stillOnSurvivor(contacts, moved.contacts), opts);
    await opportunityService.bulkUpdate(
      tx,
      mover,
      await stillOnSurvivor(opportunities, moved.opportunities),
      opts,
    );
    await activityService.bulkUpdate(
      tx,
      mover,
      await stillOnSurvivor(
        activities,
        moved.activities?.map((a) => a.id),
      ),
      opts,
    );
  } else {
    // From each activity's contacts as they are now: the merged contact back where the survivor
    // took its place; the survivor stays when the activity named it before the merge.
    const saved = new Map((moved.activities ?? []).map((a) => [a.id, a.contact_ids ?? []]));
    const now = saved.size
      ? await tx
          .select({ id: activities.id, contact_ids: activities.contact_ids })
          .from(activities)
          .where(and(eq(activities.tenant_id, ctx.tenantId), inArray(activities.id, [...saved.keys()])))
      : [];
    const patches: { id: string; patch: Record<string, unknown> }[] = [];
    for (const a of now) {
      const before = saved.get(a.id) ?? [];
      if (!a.contact_ids.includes(S) || a.contact_ids.includes(M)) continue;
      const next = before.includes(S) ? [...a.contact_ids, M] : a.contact_ids.map((c) => (c === S ? M : c));
      patches.push({ id: a.id, patch: { contact_ids: next } });
    }
    await activityService.bulkUpdate(tx, mover, patches, opts);
  }
  const [updated] = await tx
    .update(crmMerges)
    .set({
      status: 'undone',
      undone_at: new Date(),
      undone_by: ctx.actorType === 'user' ? ctx.actorId : (ctx.creatorId ?? null),
    })
    .where(and(eq(crmMerges.tenant_id, ctx.tenantId), eq(crmMerges.id, row.id)))
    .returning();
  await emitMergeEvent(tx, ctx, entity, 'unmerged', row, moved);
  return (await present(tx, ctx, [updated]))[0];
}

/**
 * Test and operator hook: moves a merge's undo deadline (e.g. into the past to check the 30-day
 * limit). Not exposed over HTTP.
 */
export async function setUndoUntil(tx: Tx, ctx: ActorContext, id: string, until: Date): Promise<void> {
  await tx
    .update(crmMerges)
    .set({ undo_until: until })
    .where(and(eq(crmMerges.tenant_id, ctx.tenantId), eq(crmMerges.id, id)));
}

/** Timeline items of a survivor: each merge into it and each undo. */
export async function mergesInto(tx: Tx, ctx: ActorContext, entity: MergeEntity, id: string, limit: number) {
  return tx
    .select()
    .from(crmMerges)
    .where(
      and(
        eq(crmMerges.tenant_id, ctx.tenantId),
        eq(crmMerges.entity, entity),
        inArray(crmMerges.survivor_id, [id]),
      ),
    )
    .orderBy(desc(crmMerges.created_at))
    .limit(limit);
}

import {
  and,
  asc,
  eq,
  getTableColumns,
  getTableName,
  gt,
  inArray,
  isNull,
  or,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
import type { PgColumn, PgInsertValue, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { changeLog } from '../audit/audit.schema.js';
import type { ChangeOptions, FieldChanges } from '../audit/change-log.js';
import { changeLogRow, recordChange } from '../audit/change-log.js';
import type { ActorContext } from '../auth/auth-context.js';
import { insertRowsFast } from '../db/bulk-insert.js';
import { type Database, execRows, type Tx } from '../db/database.js';
import { emitEvent } from '../events/event-bus.js';
import { domainEvents } from '../events/events.schema.js';
import { badRequest, conflict, forbidden, notFound, zodFieldErrors } from '../http/problem.js';
import { prop } from '../narrow.js';
import {
  accessPredicates,
  actorFacts,
  deleteSharesOf,
  notifyRecordWrite,
  type RecordAccess,
  readableRef,
  readableWhere,
  registerSharedEntity,
  type SharingDef,
} from '../sharing/sharing.service.js';

type AnyTable = PgTable & { id: PgColumn; tenant_id: PgColumn; updated_at: PgColumn; created_at: PgColumn };

export interface FilterDef {
  column: PgColumn | SQL;
  /** eq: column = value; in: comma list; contains: array column contains value; gte/lte: ranges */
  op: 'eq' | 'in' | 'contains' | 'gte' | 'lte';
  schema?: z.ZodType;
  description?: string;
}

/**
 * Stored columns computed from the record itself (e.g. pinyin sort keys of a name). They are
 * internal: never accepted from callers (dropped from input), never returned, not audited.
 */
export interface DerivedColumns {
  columns: readonly string[];
  /** Fields they are computed from: an update recomputes them only when it writes one of these. */
  from: readonly string[];
  /** Gets the `from` fields of the record; returns a value for every derived column. */
  compute: (record: Record<string, unknown>) => Record<string, unknown>;
}

export interface ResourceDef {
  /** Plural, as in the URL and in change_log.entity: accounts, contacts … */
  entity: string;
  label: string;
  table: AnyTable;
  /** Fields whose provenance is tracked and returned by /:id/lineage. */
  fields: readonly string[];
  /** API sort key → column; the column may differ from the field (name → its pinyin sort key). */
  sortable: Record<string, PgColumn>;
  defaultSort: string;
  filters: Record<string, FilterDef>;
  /** Expressions matched by `q` (ILIKE, works for Chinese and English). */
  search: (q: string) => SQL | undefined;
  /** Domain checks + derived values before insert/update; throws ProblemError on bad input. */
  prepare?: (
    tx: Tx,
    ctx: ActorContext,
    values: Record<string, unknown>,
    existing?: Record<string, unknown>,
  ) => Promise<Record<string, unknown>>;
  /**
   * What a 404 of an id adds as problem extension members (e.g. `merged_into` for a record merged
   * into another); null when there is nothing to say. Runs only when a read by id finds nothing.
   */
  whenMissing?: (tx: Tx, ctx: ActorContext, id: string) => Promise<Record<string, unknown> | null>;
  /** Shapes a stored row for the API (e.g. drops secrets). */
  present?: (row: Record<string, unknown>) => Record<string, unknown>;
  /** Adds read-only display fields to rows being read (e.g. the account's name), one query per page. */
  decorate?: (
    tx: Tx,
    ctx: ActorContext,
    rows: Record<string, unknown>[],
  ) => Promise<Record<string, unknown>[]>;
  /** Extra filters from query keys not in `filters` (e.g. custom fields `cf.key`). */
  extraFilter?: (tx: Tx, ctx: ActorContext, key: string, value: string) => Promise<SQL | undefined>;
  derived?: DerivedColumns;
  /**
   * Record-level sharing: the owner (team, region) columns the organisation-wide default and
   * shares act on. With it every read is limited to what the actor may read (others are 404) and
   * every write to what they may edit (403 when they may only read).
   */
  sharing?: SharingDef;
  /**
   * Rows about shared records (a signal about an opportunity …): hidden when a referenced record
   * (non-null) is one the actor may not read, unless `addressee` names the actor.
   */
  visibleWith?: { references: { entity: string; column: PgColumn }[]; addressee?: PgColumn };
}

export interface ListQuery {
  limit?: number;
  cursor?: string;
  q?: string;
  sort?: string;
  [filter: string]: unknown;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

function encodeCursor(value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([v, id])).toString('base64url');
}

function decodeCursor(cursor: string): [unknown, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string') throw new Error();
    return parsed as [unknown, string];
  } catch {
    throw badRequest('Invalid cursor', [{ field: 'cursor', reason: 'not a cursor returned by this API' }]);
  }
}

/** Services whose tables have derived columns, for the backfill after migrations. */
const servicesWithDerivedColumns = new Set<ResourceService>();

/**
 * Fills derived columns that are still null (rows written before the columns existed) for every
 * resource that has them. Tenant-agnostic and idempotent: run after each migration.
 */
export async function backfillDerivedColumns(database: Database): Promise<number> {
  let filled = 0;
  for (const service of servicesWithDerivedColumns) filled += await service.backfillDerived(database);
  return filled;
}

/** Generic tenant-scoped CRUD over one table with audit, lineage and events on every write. */
export class ResourceService {
  /** Every column but the derived ones: what reads and writes hand back. */
  private readonly publicColumns: Record<string, PgColumn>;
  /** The select list of publicColumns, rendered once ("table"."column", …), for list(). */
  private readonly selectList: SQL;
  /** [field, column name, column] of publicColumns, to decode list() rows as drizzle's select does. */
  private readonly decoders: [string, string, PgColumn][];

  constructor(readonly def: ResourceDef) {
    const derived = new Set(def.derived?.columns ?? []);
    this.publicColumns = Object.fromEntries(
      Object.entries(getTableColumns(def.table)).filter(([key]) => !derived.has(key)),
    ) as Record<string, PgColumn>;
    const table = `"${getTableName(def.table).replaceAll('"', '""')}"`;
    this.decoders = Object.entries(this.publicColumns).map(([key, col]) => [key, col.name, col]);
    this.selectList = sql.raw(
      this.decoders.map(([, name]) => `${table}."${name.replaceAll('"', '""')}"`).join(', '),
    );
    if (def.derived) servicesWithDerivedColumns.add(this);
    if (def.sharing) registerSharedEntity({ entity: def.entity, table: def.table, sharing: def.sharing });
  }

  /** The field name of the sharing column `which` (owner → owner_id), if the resource has sharing. */
  sharingKey(which: 'owner' | 'team' | 'region'): string | undefined {
    const col = this.def.sharing?.[which];
    if (!col) return undefined;
    return Object.entries(getTableColumns(this.def.table)).find(([, c]) => c === col)?.[0];
  }

  /** Conditions limiting this resource's rows to what the actor may read / edit (undefined: all). */
  async access(tx: Tx, ctx: ActorContext): Promise<{ read: SQL | undefined; edit: SQL | undefined }> {
    const own = await accessPredicates(tx, ctx, this.def.entity);
    const visible = await this.visibleVia(tx, ctx);
    if (!visible) return own;
    return { read: and(own.read, visible), edit: and(own.edit, visible) };
  }

  /** The read condition alone (lists, timelines): the edit grants are not computed. */
  async readable(tx: Tx, ctx: ActorContext): Promise<SQL | undefined> {
    const own = await readableWhere(tx, ctx, this.def.entity);
    const visible = await this.visibleVia(tx, ctx);
    return visible ? and(own, visible) : own;
  }

  /** Rows about shared records (visibleWith): visible when the records they name are, or when addressed to the actor. */
  private async visibleVia(tx: Tx, ctx: ActorContext): Promise<SQL | undefined> {
    const via = this.def.visibleWith;
    if (!via) return undefined;
    const refs: SQL[] = [];
    for (const r of via.references) {
      const cond = await readableRef(tx, ctx, r.entity, r.column);
      if (cond) refs.push(cond);
    }
    if (refs.length === 0) return undefined;
    let visible = and(...refs) as SQL;
    if (via.addressee) {
      const me = (await actorFacts(tx, ctx)).userId;
      if (me) visible = or(eq(via.addressee, me), visible) as SQL;
    }
    return visible;
  }

  /** A record as events carry it: shaped like the API's (present() drops secrets such as password hashes). */
  private forEvent(row: Record<string, unknown>): Record<string, unknown> {
    return this.def.present ? this.def.present(row) : row;
  }

  private get t(): AnyTable {
    return this.def.table;
  }

  /** Input without derived columns: callers cannot set them. */
  private withoutDerived(values: Record<string, unknown>): Record<string, unknown> {
    const derived = this.def.derived;
    if (!derived?.columns.some((c) => c in values)) return { ...values };
    const rest = { ...values };
    for (const c of derived.columns) delete rest[c];
    return rest;
  }

  /** Derived values for a write: always on insert, on update only when a source field is written. */
  private derive(values: Record<string, unknown>, existing?: Record<string, unknown>) {
    const derived = this.def.derived;
    if (!derived) return {};
    if (existing && !derived.from.some((f) => values[f] !== undefined)) return {};
    return derived.compute({ ...existing, ...values });
  }

  /**
   * See backfillDerivedColumns. Walks the rows in id order, a batch per transaction, so a large
   * table is never locked or held in memory at once, and a row whose keys stay null is not revisited.
   */
  async backfillDerived(database: Database, batchSize = 5000): Promise<number> {
    const derived = this.def.derived;
    if (!derived) return 0;
    const columns = getTableColumns(this.def.table) as Record<string, PgColumn>;
    const source = Object.fromEntries(derived.from.map((f) => [f, columns[f]]));
    const missing = or(...derived.columns.map((c) => isNull(columns[c])));
    const tableName = sql.identifier(getTableName(this.def.table));
    const typed = ['id', ...derived.columns]
      .map((k) => `"${columns[k].name}" ${columns[k].getSQLType()}`)
      .join(', ');
    const assignments = derived.columns
      .map((k) => `"${columns[k].name}" = x."${columns[k].name}"`)
      .join(', ');
    let filled = 0;
    let afterId: string | undefined;
    for (;;) {
      const rows = (await database.systemTx((tx) =>
        tx
          .select({ id: this.t.id, ...source })
          .from(this.def.table)
          .where(and(missing, afterId ? gt(this.t.id, afterId) : undefined))
          .orderBy(asc(this.t.id))
          .limit(batchSize),
      )) as Record<string, unknown>[];
      if (rows.length === 0) return filled;
      const updates = rows.map((r) => ({ id: r.id, ...derived.compute(r) }));
      await database.systemTx((tx) =>
        tx.execute(
          sql`update ${tableName} t set ${sql.raw(assignments)}
                from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(${sql.raw(typed)})
               where t.id = x.id`,
        ),
      );
      filled += rows.length;
      afterId = String(rows[rows.length - 1].id);
    }
  }

  async list(tx: Tx, ctx: ActorContext, query: ListQuery): Promise<Page<Record<string, unknown>>> {
    const { def } = this;
    const limit = Math.min(Math.max(Number(query.limit ?? 50), 1), 500);
    const sortParam = (query.sort as string) || def.defaultSort;
    const descending = sortParam.startsWith('-');
    const sortKey = descending ? sortParam.slice(1) : sortParam;
    // Own keys only: `sort=__proto__` must not find Object.prototype.
    const sortCol = Object.hasOwn(def.sortable, sortKey) ? def.sortable[sortKey] : undefined;
    if (!sortCol) {
      throw badRequest(`Cannot sort by ${sortKey}`, [
        {
          field: 'sort',
          reason: `one of: ${Object.keys(def.sortable).join(', ')} (prefix - for descending)`,
        },
      ]);
    }
    const where: (SQL | undefined)[] = [eq(this.t.tenant_id, ctx.tenantId)];
    for (const [key, raw] of Object.entries(query)) {
      if (raw === undefined || raw === '' || ['limit', 'cursor', 'q', 'sort', 'include'].includes(key))
        continue;
      const f = Object.hasOwn(def.filters, key) ? def.filters[key] : undefined;
      const value = String(raw);
      if (f) {
        const input = f.op === 'in' ? value.split(',') : value;
        const parsed = f.schema ? f.schema.safeParse(input, { reportInput: true }) : null;
        if (parsed && !parsed.success) {
          throw badRequest(
            `Invalid filter ${key}`,
            zodFieldErrors(parsed.error.issues.slice(0, 1), () => key),
          );
        }
        const v: unknown = parsed ? parsed.data : input;
        const col: SQLWrapper = f.column;
        if (f.op === 'eq') where.push(eq(col, v));
        else if (f.op === 'in') where.push(inArray(col, v as unknown[]));
        else if (f.op === 'contains') where.push(sql`${col} @> array[${v}]::text[]`);
        else if (f.op === 'gte') where.push(sql`${col} >= ${v}`);
        else if (f.op === 'lte') where.push(sql`${col} <= ${v}`);
      } else if (def.extraFilter) {
        const extra = await def.extraFilter(tx, ctx, key, value);
        if (!extra)
          throw badRequest(`Unknown filter ${key}`, [{ field: key, reason: 'not a filter of this list' }]);
        where.push(extra);
      } else {
        throw badRequest(`Unknown filter ${key}`, [{ field: key, reason: 'not a filter of this list' }]);
      }
    }
    if (query.q && String(query.q).trim()) where.push(def.search(String(query.q).trim()));
    where.push(await this.readable(tx, ctx));
    // Timestamps are stored in microseconds but a JS Date holds milliseconds: the cursor keeps the
    // database's own text of the value, or rows sharing a millisecond would repeat across pages.
    const isTimestamp = sortCol.columnType === 'PgTimestamp';
    if (query.cursor) {
      const [v, id] = decodeCursor(String(query.cursor));
      // A row comparison lets PostgreSQL seek straight into the (tenant, sort, id) index; the
      // equivalent OR form scans and discards every earlier row, so deep pages got slower.
      const op = sql.raw(descending ? '<' : '>');
      const value = isTimestamp ? sql`${String(v)}::timestamptz` : sql.param(v, sortCol);
      where.push(sql`(${sortCol}, ${this.t.id}) ${op} (${value}, ${sql.param(id, this.t.id)})`);
    }
    // The select list is rendered once per resource and rows are decoded column by column with
    // each column's own mapping (what drizzle's select does per cell, without its per-cell checks):
    // a page of 50 rows cost a list request about as much CPU as everything else together.
    const dir = sql.raw(descending ? 'desc' : 'asc');
    const raw = await execRows<Record<string, unknown>>(
      tx,
      sql`select ${this.selectList}, ${isTimestamp ? sql`${sortCol}::text` : sortCol} as "__cursor"
            from ${def.table} where ${and(...where)}
           order by ${sortCol} ${dir}, ${this.t.id} ${dir} limit ${limit + 1}`,
    );
    const hasMore = raw.length > limit;
    const data = (hasMore ? raw.slice(0, limit) : raw).map((r) => this.decodeRow(r));
    const last = hasMore ? raw[limit - 1] : undefined;
    const lastCursor = last?.__cursor;
    const cursorValue =
      isTimestamp || lastCursor === null || lastCursor === undefined
        ? lastCursor
        : sortCol.mapFromDriverValue(lastCursor);
    return { data, next_cursor: last ? encodeCursor(cursorValue, String(last.id)) : null };
  }

  /** A row of list()'s query as drizzle's select of publicColumns would return it. */
  private decodeRow(r: Record<string, unknown>): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const [key, name, col] of this.decoders) {
      const v = r[name];
      row[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
    }
    return row;
  }

  async get(tx: Tx, ctx: ActorContext, id: string): Promise<Record<string, unknown>> {
    const row = await this.find(tx, ctx, id);
    if (!row) throw await this.missing(tx, ctx, id);
    return row;
  }

  /** get(), with whether the actor may edit the record (for the UI's edit buttons). */
  async getWithAccess(
    tx: Tx,
    ctx: ActorContext,
    id: string,
  ): Promise<{ row: Record<string, unknown>; access: RecordAccess }> {
    const found = await this.findWithAccess(tx, ctx, id);
    if (!found) throw await this.missing(tx, ctx, id);
    return { row: found.row, access: found.canEdit ? 'edit' : 'read' };
  }

  /** The 404 of an id, with what the definition's whenMissing adds. */
  private async missing(tx: Tx, ctx: ActorContext, id: string) {
    return notFound(this.def.label, (await this.def.whenMissing?.(tx, ctx, id)) ?? {});
  }

  /** The record if the actor may read it (undefined for unknown ids and records they may not read). */
  async find(
    tx: Tx,
    ctx: ActorContext,
    id: string,
    forUpdate = false,
  ): Promise<Record<string, unknown> | undefined> {
    return (await this.findWithAccess(tx, ctx, id, forUpdate))?.row;
  }

  /**
   * The records of `ids` the actor may read, in one statement (the read condition of `find`),
   * keyed by id and unpresented like `find`'s rows; unknown or hidden ids are absent. For batched
   * loaders (GraphQL).
   */
  async findMany(
    tx: Tx,
    ctx: ActorContext,
    ids: readonly string[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const wanted = [...new Set(ids.filter((id) => z.uuid().safeParse(id).success))];
    const out = new Map<string, Record<string, unknown>>();
    if (wanted.length === 0) return out;
    const { read } = await this.access(tx, ctx);
    const rows = (await tx
      .select(this.publicColumns)
      .from(this.def.table)
      .where(and(eq(this.t.tenant_id, ctx.tenantId), inArray(this.t.id, wanted), read))) as Record<
      string,
      unknown
    >[];
    for (const row of rows) out.set(String(row.id), row);
    return out;
  }

  private async findWithAccess(
    tx: Tx,
    ctx: ActorContext,
    id: string,
    forUpdate = false,
  ): Promise<{ row: Record<string, unknown>; canEdit: boolean } | undefined> {
    if (!z.uuid().safeParse(id).success) return undefined;
    const { read, edit } = await this.access(tx, ctx);
    const q = tx
      .select({ ...this.publicColumns, __can_edit: edit ? sql<boolean>`(${edit})` : sql<boolean>`true` })
      .from(this.def.table)
      .where(and(eq(this.t.tenant_id, ctx.tenantId), eq(this.t.id, id), read));
    const rows = (await (forUpdate ? q.for('update') : q)) as Record<string, unknown>[];
    if (!rows[0]) return undefined;
    const { __can_edit, ...row } = rows[0];
    return { row, canEdit: __can_edit === true || __can_edit === 't' };
  }

  /** The record if the actor may edit it; 404 when they may not read it, 403 when only read. */
  private async findForEdit(tx: Tx, ctx: ActorContext, id: string): Promise<Record<string, unknown>> {
    const found = await this.findWithAccess(tx, ctx, id, true);
    if (!found) throw notFound(this.def.label);
    if (!found.canEdit) throw forbidden('You may view this record but not change it');
    return found.row;
  }

  async create(tx: Tx, ctx: ActorContext, input: Record<string, unknown>, opts: ChangeOptions = {}) {
    const given = this.withoutDerived(input);
    const ownerKey = this.sharingKey('owner');
    // Records a user creates are theirs unless they name another owner (so private defaults keep them visible).
    if (ownerKey && given[ownerKey] === undefined && ctx.actorType === 'user' && ctx.actorId)
      given[ownerKey] = ctx.actorId;
    const values = this.def.prepare ? await this.def.prepare(tx, ctx, given) : given;
    const [row] = (await tx
      .insert(this.def.table)
      .values({ ...values, ...this.derive(values), tenant_id: ctx.tenantId } as PgInsertValue<AnyTable>)
      .returning(this.publicColumns)) as Record<string, unknown>[];
    const changes: FieldChanges = {};
    for (const f of this.def.fields)
      if (row[f] !== null && row[f] !== undefined) changes[f] = { old: null, new: row[f] };
    await recordChange(tx, ctx, this.def.entity, String(row.id), 'create', changes, opts);
    notifyRecordWrite(this.def.entity, ctx.tenantId);
    await emitEvent(tx, {
      tenantId: ctx.tenantId,
      name: `${this.def.entity}.created`,
      entity: this.def.entity,
      entityId: String(row.id),
      payload: { record: this.forEvent(row), source: ctx.source },
    });
    return row;
  }

  async update(
    tx: Tx,
    ctx: ActorContext,
    id: string,
    patch: Record<string, unknown>,
    opts: ChangeOptions = {},
  ) {
    const existing = await this.findForEdit(tx, ctx, id);
    const given = this.withoutDerived(patch);
    const values = this.def.prepare ? await this.def.prepare(tx, ctx, given, existing) : given;
    const changes: FieldChanges = {};
    for (const [k, v] of Object.entries(values)) {
      if (!sameValue(existing[k], v)) changes[k] = { old: existing[k] ?? null, new: v };
    }
    if (Object.keys(changes).length === 0) return existing;
    const [row] = (await tx
      .update(this.def.table)
      .set({
        ...values,
        ...this.derive(values, existing),
        updated_at: new Date(),
      } as PgUpdateSetSource<AnyTable>)
      .where(and(eq(this.t.tenant_id, ctx.tenantId), eq(this.t.id, id)))
      .returning(this.publicColumns)) as Record<string, unknown>[];
    // Record what was stored (after DB normalisation), not what was sent.
    for (const k of Object.keys(changes)) changes[k] = { old: changes[k].old, new: row[k] ?? null };
    await recordChange(tx, ctx, this.def.entity, id, 'update', changes, opts);
    notifyRecordWrite(this.def.entity, ctx.tenantId);
    await emitEvent(tx, {
      tenantId: ctx.tenantId,
      name: `${this.def.entity}.updated`,
      entity: this.def.entity,
      entityId: id,
      payload: { record: this.forEvent(row), changed: Object.keys(changes), changes, source: ctx.source },
    });
    return row;
  }

  /**
   * Applies many patches with a constant number of statements (lock + one UPDATE per key set +
   * change log + events), for handlers that refresh hundreds of records per batch. Same audit,
   * lineage and events as update(); patches that change nothing are skipped. No prepare() hook:
   * callers pass values already validated. Returns the ids that changed.
   */
  async bulkUpdate(
    tx: Tx,
    ctx: ActorContext,
    items: { id: string; patch: Record<string, unknown> }[],
    opts: ChangeOptions = {},
  ): Promise<string[]> {
    if (items.length === 0) return [];
    // Records the actor may not edit are skipped like unknown ids.
    const { read, edit } = await this.access(tx, ctx);
    const existing = (await tx
      .select()
      .from(this.def.table)
      .where(
        and(
          eq(this.t.tenant_id, ctx.tenantId),
          inArray(
            this.t.id,
            items.map((i) => i.id),
          ),
          read,
          edit,
        ),
      )
      .for('update')) as Record<string, unknown>[];
    const byId = new Map(existing.map((r) => [String(r.id), r]));
    const now = new Date();
    const groups = new Map<string, Record<string, unknown>[]>();
    const logs: ReturnType<typeof changeLogRow>[] = [];
    const events: Record<string, unknown>[] = [];
    for (const item of items) {
      const id = item.id;
      const patch = this.withoutDerived(item.patch);
      const before = byId.get(id);
      if (!before) continue;
      const changes: FieldChanges = {};
      for (const [k, v] of Object.entries(patch)) {
        if (!sameValue(before[k], v)) changes[k] = { old: before[k] ?? null, new: v };
      }
      if (Object.keys(changes).length === 0) continue;
      const row = { id, ...patch, ...this.derive(patch, before), updated_at: now };
      const signature = Object.keys(row).sort().join(',');
      groups.set(signature, [...(groups.get(signature) ?? []), row]);
      logs.push(changeLogRow(ctx, this.def.entity, id, 'update', changes, opts));
      events.push({
        tenant_id: ctx.tenantId,
        name: `${this.def.entity}.updated`,
        entity: this.def.entity,
        entity_id: id,
        payload: { changed: Object.keys(changes), source: ctx.source },
      });
    }
    const columns = getTableColumns(this.def.table) as Record<string, { name: string; getSQLType(): string }>;
    const tableName = sql.identifier(getTableName(this.def.table));
    for (const rows of groups.values()) {
      const keys = Object.keys(rows[0]).filter((k) => columns[k]);
      const typed = keys.map((k) => `"${columns[k].name}" ${columns[k].getSQLType()}`).join(', ');
      const assignments = keys
        .filter((k) => k !== 'id')
        .map((k) => `"${columns[k].name}" = x."${columns[k].name}"`)
        .join(', ');
      await tx.execute(
        sql`update ${tableName} t set ${sql.raw(assignments)}
              from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(${sql.raw(typed)})
             where t.id = x.id and t.tenant_id = ${ctx.tenantId}::uuid`,
      );
    }
    await insertRowsFast(tx, changeLog, logs);
    await insertRowsFast(tx, domainEvents, events);
    if (logs.length) notifyRecordWrite(this.def.entity, ctx.tenantId);
    return logs.map((l) => l.entity_id);
  }

  async remove(tx: Tx, ctx: ActorContext, id: string, opts: ChangeOptions = {}) {
    const existing = await this.findForEdit(tx, ctx, id);
    try {
      await tx.execute(sql`savepoint before_delete`);
      await tx.delete(this.def.table).where(and(eq(this.t.tenant_id, ctx.tenantId), eq(this.t.id, id)));
      await tx.execute(sql`release savepoint before_delete`);
    } catch (err) {
      const code = prop(prop(err, 'cause'), 'code') ?? prop(err, 'code');
      if (code === '23503' || code === '23001') {
        await tx.execute(sql`rollback to savepoint before_delete`);
        throw conflict(`${this.def.label} is still referenced by other records; delete or move them first`);
      }
      throw err;
    }
    const changes: FieldChanges = {};
    for (const f of this.def.fields)
      if (existing[f] !== null && existing[f] !== undefined) changes[f] = { old: existing[f], new: null };
    await recordChange(tx, ctx, this.def.entity, id, 'delete', changes, opts);
    if (this.def.sharing) await deleteSharesOf(tx, ctx, this.def.entity, id);
    notifyRecordWrite(this.def.entity, ctx.tenantId);
    await emitEvent(tx, {
      tenantId: ctx.tenantId,
      name: `${this.def.entity}.deleted`,
      entity: this.def.entity,
      entityId: id,
      payload: { record: this.forEvent(existing), source: ctx.source },
    });
  }

  /**
   * Inserts many prepared rows in batches with one change-log row each and one event for
   * the whole batch (imports, seeds). Callers run it inside one transaction: all or nothing.
   */
  async bulkInsert(
    tx: Tx,
    ctx: ActorContext,
    rows: Record<string, unknown>[],
    opts: ChangeOptions = {},
    onProgress?: (inserted: number) => void,
  ) {
    const ids: string[] = [];
    const BATCH = 1000;
    for (let i = 0; i < rows.length; i += BATCH) {
      const chunk = rows.slice(i, i + BATCH).map((r) => {
        const values = this.withoutDerived(r);
        return { ...values, ...this.derive(values), tenant_id: ctx.tenantId };
      });
      // Only ids come back: the change log is built from the rows we already hold (sending every
      // column of 100k rows back was most of an import's time on PostgreSQL).
      const insertedIds = await insertRowsFast(tx, this.def.table, chunk);
      const now = new Date();
      // insertRowsFast returns ids in input order, so insertedIds[k] belongs to chunk[k].
      const logs = insertedIds.map((id, k) => {
        const row = chunk[k];
        const changes: FieldChanges = {};
        for (const f of this.def.fields) {
          const v = (row as Record<string, unknown>)[f];
          if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
            changes[f] = { old: null, new: v };
        }
        // Back-dated rows (seeds, migrations from another CRM) keep their own creation time as the change time.
        return {
          ...changeLogRow(ctx, this.def.entity, id, 'create', changes, opts),
          at: ((row as Record<string, unknown>).created_at as Date) ?? now,
        };
      });
      await insertRowsFast(tx, changeLog, logs);
      ids.push(...insertedIds);
      onProgress?.(ids.length);
    }
    if (ids.length) {
      notifyRecordWrite(this.def.entity, ctx.tenantId);
      await emitEvent(tx, {
        tenantId: ctx.tenantId,
        name: `${this.def.entity}.imported`,
        entity: this.def.entity,
        payload: { ids, count: ids.length, batch_id: opts.batchId ?? null, source: ctx.source },
      });
    }
    return ids;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date)
    // new Date() takes any value (null is the epoch, as before); the types only name the usual ones.
    return (
      new Date(a as Date | string | number).getTime() === new Date(b as Date | string | number).getTime()
    );
  if (typeof a === 'number' || typeof b === 'number')
    return a !== null && b !== null && Number(a) === Number(b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

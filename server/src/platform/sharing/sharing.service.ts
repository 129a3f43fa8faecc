import { and, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { recordChange } from '../audit/change-log.js';
import { users } from '../auth/auth.schema.js';
import type { ActorContext } from '../auth/auth-context.js';
import type { Role } from '../auth/permissions.js';
import { afterCommit, type Tx } from '../db/database.js';
import { emitEvent } from '../events/event-bus.js';
import { recordShares, sharingDefaults } from './sharing.schema.js';

/**
 * Record-level sharing (organisation-wide defaults, owner hierarchy, team, region, explicit
 * shares). Business-free: resources opt in with a `sharing` option naming their owner, team and
 * region columns; this file turns the actor's facts into SQL predicates the data layer adds to
 * every read and write. The rules are stated in the README ("Security: record-level sharing").
 */

export const SHARING_ACCESS = ['public_read_write', 'public_read', 'private'] as const;
export type SharingAccess = (typeof SHARING_ACCESS)[number];
export const DEFAULT_ACCESS: SharingAccess = 'public_read_write';
export type RecordAccess = 'read' | 'edit';
export const SHARE_SUBJECT_TYPES = ['user', 'team'] as const;
export type ShareSubjectType = (typeof SHARE_SUBJECT_TYPES)[number];

/** What a resource declares to take part in sharing (ResourceDef.sharing). */
export interface SharingDef {
  /** The record's owner (a users.id). */
  owner: PgColumn;
  /** The record's team (a team id as in users.team_id); without it, the owner's team counts. */
  team?: PgColumn;
  /** The record's region (as in users.region_id); a null region falls back to the owner's. */
  region?: PgColumn;
  /**
   * Parents whose access carries over: who may read (edit) the parent through ownership,
   * hierarchy, team, region or a share may read (edit) this record too.
   */
  parents?: { entity: string; column: PgColumn }[];
  /** Children that make this record readable: who may read a child by its own rules reads this one. */
  children?: { entity: string; column: PgColumn }[];
}

type SharedTable = PgTable & { id: PgColumn; tenant_id: PgColumn };

interface SharedEntity {
  entity: string;
  table: SharedTable;
  sharing: SharingDef;
}

/** Entities that take part in sharing, by name (filled by ResourceService for defs with `sharing`). */
const sharedEntities = new Map<string, SharedEntity>();

export function registerSharedEntity(e: SharedEntity): void {
  sharedEntities.set(e.entity, e);
}

export function sharedEntityNames(): string[] {
  return [...sharedEntities.keys()];
}

export function isSharedEntity(entity: string): boolean {
  return sharedEntities.has(entity);
}

/** Roles that see the records of their region (the record's region, else its owner's). */
export const REGION_ROLES: readonly Role[] = ['manager', 'regional_manager'];

interface DirectoryUser {
  id: string;
  manager_id: string | null;
  team_id: string | null;
  region_id: string | null;
}

interface Directory {
  users: Map<string, DirectoryUser>;
  reports: Map<string, string[]>;
  loadedAt: number;
  facts: Map<string, ActorFacts>;
}

/** What the actor's visibility rests on (computed from the users table). */
export interface ActorFacts {
  userId: string | null;
  teamId: string | null;
  /** The actor and everyone below them in the manager chain. */
  chain: string[];
  /** Users of the actor's team (the actor included). */
  teammates: string[];
  /** Set only for region roles. */
  regionId: string | null;
  regionUsers: string[];
}

export interface TeamDirectory {
  /** Names of the given team ids that exist in the caller's tenant. */
  names(tx: Tx, ctx: ActorContext, ids: string[]): Promise<Map<string, string>>;
}

const CACHE_TTL_MS = 60_000;
/**
 * Share ids per actor are kept this long: a share added or removed through another server
 * process reaches this one's lists within it (like a revoked session, see AuthService); in this
 * process every share write drops them at once (and again after its commit).
 */
const SHARES_TTL_MS = 5_000;
/** Share-id lists kept per tenant (one per actor, entity and access level) before starting over. */
const SHARES_MAX_KEYS = 5_000;

/** The ids shared with one actor (as a list), or null when there are more than can be inlined. */
type SharedIds = string[] | null;

/**
 * The platform's sharing service: caches each tenant's user directory (managers, teams, regions)
 * and organisation-wide defaults. The directory is dropped on every users write in this process
 * and on users.* events (other processes); the defaults on every change; both after a minute anyway.
 */
export class SharingService {
  private directories = new Map<string, Directory>();
  private defaults = new Map<string, { values: Map<string, SharingAccess>; loadedAt: number }>();
  private shares = new Map<string, { ids: Map<string, SharedIds>; loadedAt: number }>();
  /** Bumped by every share eviction of a tenant: a lookup that overlapped one is not kept. */
  private shareEpochs = new Map<string, number>();
  /** Share lookups under way (tenant|key), shared by the requests that miss together, within one epoch. */
  private shareFlights = new Map<string, { epoch: number; ids: Promise<SharedIds> }>();
  teams: TeamDirectory | null = null;

  constructor() {
    const ref = new WeakRef(this);
    writeListeners.add(function listener(entity, tenantId) {
      const self = ref.deref();
      if (!self) {
        writeListeners.delete(listener);
        return;
      }
      if (entity === 'users') self.evictUsers(tenantId);
      else if (entity === 'record_shares') self.evictShares(tenantId);
    });
  }

  /** A module names the team directory (team names and existence) the platform cannot read itself. */
  useTeamDirectory(teams: TeamDirectory): void {
    this.teams = teams;
  }

  evictUsers(tenantId: string): void {
    this.directories.delete(tenantId);
    this.loads.delete(`directory|${tenantId}`);
  }

  evictDefaults(tenantId: string): void {
    this.defaults.delete(tenantId);
    this.loads.delete(`defaults|${tenantId}`);
  }

  evictShares(tenantId: string): void {
    this.shares.delete(tenantId);
    this.shareEpochs.set(tenantId, (this.shareEpochs.get(tenantId) ?? 0) + 1);
  }

  /** The cached share ids under `key`, else load()'s (kept unless a share write overlapped it). */
  async sharedIds(tenantId: string, key: string, load: () => Promise<SharedIds>): Promise<SharedIds> {
    const isFresh = (e: { loadedAt: number } | undefined) => !!e && Date.now() - e.loadedAt < SHARES_TTL_MS;
    const hit = this.shares.get(tenantId);
    const cached = isFresh(hit) ? hit?.ids.get(key) : undefined;
    if (cached !== undefined) return cached;
    const epoch = this.shareEpochs.get(tenantId) ?? 0;
    const flightKey = `${tenantId}|${key}`;
    const joined = this.shareFlights.get(flightKey);
    let ids: SharedIds;
    if (joined && joined.epoch === epoch) {
      // Another request's lookup (in its transaction): if it fails, this one looks up on its own.
      ids = await joined.ids.catch(() => load());
    } else {
      const flight = { epoch, ids: Promise.resolve<SharedIds>(null) };
      flight.ids = load().finally(() => {
        if (this.shareFlights.get(flightKey) === flight) this.shareFlights.delete(flightKey);
      });
      this.shareFlights.set(flightKey, flight);
      ids = await flight.ids;
    }
    if ((this.shareEpochs.get(tenantId) ?? 0) !== epoch) return ids;
    let entry = this.shares.get(tenantId);
    if (!entry || !isFresh(entry) || entry.ids.size >= SHARES_MAX_KEYS) {
      entry = { ids: new Map(), loadedAt: Date.now() };
      this.shares.set(tenantId, entry);
    }
    entry.ids.set(key, ids);
    return ids;
  }

  async directory(tx: Tx, tenantId: string): Promise<Directory> {
    const hit = this.directories.get(tenantId);
    if (hit && Date.now() - hit.loadedAt < CACHE_TTL_MS) return hit;
    const dir = await this.shared(`directory|${tenantId}`, () => loadDirectory(tx, tenantId));
    this.directories.set(tenantId, dir);
    return dir;
  }

  async defaultsOf(tx: Tx, tenantId: string): Promise<Map<string, SharingAccess>> {
    const hit = this.defaults.get(tenantId);
    if (hit && Date.now() - hit.loadedAt < CACHE_TTL_MS) return hit.values;
    const values = await this.shared(`defaults|${tenantId}`, () => loadDefaults(tx, tenantId));
    this.defaults.set(tenantId, { values, loadedAt: Date.now() });
    return values;
  }

  private loads = new Map<string, Promise<unknown>>();
  /**
   * One load at a time per key: requests that miss together (every client when an entry expires)
   * wait for the same query instead of each sending its own. The load runs in the first caller's
   * transaction; if it fails, a caller that joined loads on its own.
   */
  private async shared<T>(key: string, load: () => Promise<T>): Promise<T> {
    const joined = this.loads.get(key) as Promise<T> | undefined;
    if (joined) return joined.catch(() => load());
    const p = load().finally(() => {
      if (this.loads.get(key) === p) this.loads.delete(key);
    });
    this.loads.set(key, p);
    return p;
  }
}

/** Notified of every ResourceService write (entity, tenant), so caches of users can be dropped. */
const writeListeners = new Set<(entity: string, tenantId: string) => void>();

export function notifyRecordWrite(entity: string, tenantId: string): void {
  for (const l of writeListeners) l(entity, tenantId);
}

// ---------- binding a request's actor to the platform's service ----------

const bound = new WeakMap<ActorContext, SharingService>();
/** Contexts not bound to a platform (spread copies, jobs) get a private, uncached service each. */
const unbound = new WeakMap<ActorContext, SharingService>();

export function bindSharing(ctx: ActorContext, service: SharingService): void {
  bound.set(ctx, service);
}

function serviceFor(ctx: ActorContext): SharingService {
  const s = bound.get(ctx);
  if (s) return s;
  let own = unbound.get(ctx);
  if (!own) {
    own = new SharingService();
    unbound.set(ctx, own);
  }
  return own;
}

/** Admins and system contexts (permission '*') see and edit every record. */
export function seesAll(ctx: ActorContext): boolean {
  return ctx.permissions.has('*') || ctx.role === 'admin';
}

async function loadDirectory(tx: Tx, tenantId: string): Promise<Directory> {
  const rows = await tx
    .select({
      id: users.id,
      manager_id: users.manager_id,
      team_id: users.team_id,
      region_id: users.region_id,
    })
    .from(users)
    .where(eq(users.tenant_id, tenantId));
  const map = new Map<string, DirectoryUser>();
  const reports = new Map<string, string[]>();
  for (const r of rows) {
    map.set(r.id, r);
    if (r.manager_id) reports.set(r.manager_id, [...(reports.get(r.manager_id) ?? []), r.id]);
  }
  return { users: map, reports, loadedAt: Date.now(), facts: new Map() };
}

async function loadDefaults(tx: Tx, tenantId: string): Promise<Map<string, SharingAccess>> {
  const rows = await tx
    .select({ entity: sharingDefaults.entity, access: sharingDefaults.access })
    .from(sharingDefaults)
    .where(eq(sharingDefaults.tenant_id, tenantId));
  return new Map(rows.map((r) => [r.entity, r.access as SharingAccess]));
}

/**
 * The user an actor sees as: a signed-in user is themself; an API key sees as the user who made it
 * (resolved with the key by the auth service, so no extra query here).
 */
function actingUserId(ctx: ActorContext): string | null {
  if (ctx.actorType === 'user') return ctx.actorId;
  if (ctx.actorType === 'api_key') return ctx.creatorId ?? null;
  return null;
}

export async function actorFacts(tx: Tx, ctx: ActorContext): Promise<ActorFacts> {
  const service = serviceFor(ctx);
  const dir = await service.directory(tx, ctx.tenantId);
  const key = `${ctx.actorType}:${ctx.actorId}:${ctx.role}`;
  const hit = dir.facts.get(key);
  if (hit) return hit;
  const userId = actingUserId(ctx);
  const me = userId ? dir.users.get(userId) : undefined;
  const chain: string[] = [];
  if (me) {
    const seen = new Set<string>([me.id]);
    const queue = [me.id];
    while (queue.length) {
      const id = queue.shift() as string;
      chain.push(id);
      for (const r of dir.reports.get(id) ?? []) {
        if (!seen.has(r)) {
          seen.add(r);
          queue.push(r);
        }
      }
    }
  }
  const teamId = me?.team_id ?? null;
  const regionId = me && REGION_ROLES.includes(ctx.role) ? me.region_id : null;
  const teammates: string[] = [];
  const regionUsers: string[] = [];
  for (const u of dir.users.values()) {
    if (teamId && u.team_id === teamId) teammates.push(u.id);
    if (regionId && u.region_id === regionId) regionUsers.push(u.id);
  }
  const facts: ActorFacts = { userId: me?.id ?? null, teamId, chain, teammates, regionId, regionUsers };
  dir.facts.set(key, facts);
  return facts;
}

export async function defaultAccess(tx: Tx, ctx: ActorContext, entity: string): Promise<SharingAccess> {
  return (await serviceFor(ctx).defaultsOf(tx, ctx.tenantId)).get(entity) ?? DEFAULT_ACCESS;
}

// ---------- predicates ----------

const inIds = (col: PgColumn, ids: string[]): SQL => (ids.length ? inArray(col, ids) : sql`false`);

/** Shares inlined as an id list up to this many; beyond, the predicate keeps a subquery. */
const INLINE_SHARES = 1000;

/**
 * Records shared with the actor (or their team), at least at `mode`. The share ids are looked up
 * first (one indexed query): usually there are none or a few, and a plain `id in (…)` (or nothing)
 * lets PostgreSQL use the owner and primary-key indexes, where an OR with a subquery would not.
 */
async function sharedWith(
  tx: Tx,
  e: SharedEntity,
  ctx: ActorContext,
  f: ActorFacts,
  mode: RecordAccess,
): Promise<SQL | undefined> {
  const subjects: SQL[] = [];
  if (f.userId)
    subjects.push(and(eq(recordShares.subject_type, 'user'), eq(recordShares.subject_id, f.userId)) as SQL);
  if (f.teamId)
    subjects.push(and(eq(recordShares.subject_type, 'team'), eq(recordShares.subject_id, f.teamId)) as SQL);
  if (subjects.length === 0) return undefined;
  const where = and(
    eq(recordShares.tenant_id, ctx.tenantId),
    eq(recordShares.entity, e.entity),
    or(...subjects),
    mode === 'edit' ? eq(recordShares.access, 'edit') : undefined,
  );
  const key = `${e.entity}|${mode}|${f.userId ?? ''}|${f.teamId ?? ''}`;
  const ids = await serviceFor(ctx).sharedIds(ctx.tenantId, key, async () => {
    const rows = await tx
      .select({ id: recordShares.record_id })
      .from(recordShares)
      .where(where)
      .limit(INLINE_SHARES + 1);
    return rows.length > INLINE_SHARES ? null : rows.map((r) => r.id);
  });
  if (ids === null)
    return sql`${e.table.id} in (select ${recordShares.record_id} from ${recordShares} where ${where})`;
  if (ids.length === 0) return undefined;
  return inArray(e.table.id, ids);
}

/**
 * Drops the tenant's cached share ids in every sharing service of this process (whoever the
 * writer's context is bound to), now and once the writing transaction has committed.
 */
function sharesChanged(tx: Tx, ctx: ActorContext): void {
  const tenantId = ctx.tenantId;
  notifyRecordWrite('record_shares', tenantId);
  afterCommit(tx, () => notifyRecordWrite('record_shares', tenantId));
}

/**
 * The record's own grants to the actor, whatever the default: owner and manager chain (edit),
 * team and region (read), explicit shares (their access).
 */
async function ownGrants(
  tx: Tx,
  e: SharedEntity,
  ctx: ActorContext,
  f: ActorFacts,
  mode: RecordAccess,
): Promise<SQL[]> {
  const s = e.sharing;
  const conds: (SQL | undefined)[] = [];
  if (f.chain.length) conds.push(inIds(s.owner, f.chain));
  if (mode === 'read') {
    if (f.teamId) {
      conds.push(
        s.team
          ? or(eq(s.team, f.teamId), and(isNull(s.team), inIds(s.owner, f.teammates)))
          : inIds(s.owner, f.teammates),
      );
    }
    if (f.regionId) {
      conds.push(
        s.region
          ? or(eq(s.region, f.regionId), and(isNull(s.region), inIds(s.owner, f.regionUsers)))
          : inIds(s.owner, f.regionUsers),
      );
    }
  }
  conds.push(await sharedWith(tx, e, ctx, f, mode));
  return conds.filter((c): c is SQL => c !== undefined);
}

async function grants(
  tx: Tx,
  e: SharedEntity,
  ctx: ActorContext,
  f: ActorFacts,
  mode: RecordAccess,
): Promise<SQL> {
  const conds = await ownGrants(tx, e, ctx, f, mode);
  for (const p of e.sharing.parents ?? []) {
    const parent = sharedEntities.get(p.entity);
    if (!parent) continue;
    const pc = await ownGrants(tx, parent, ctx, f, mode);
    if (pc.length)
      conds.push(
        sql`${p.column} in (select ${parent.table.id} from ${parent.table}
          where ${parent.table.tenant_id} = ${ctx.tenantId} and (${or(...pc)}))`,
      );
  }
  if (mode === 'read') {
    for (const c of e.sharing.children ?? []) {
      const child = sharedEntities.get(c.entity);
      if (!child) continue;
      const cc = await ownGrants(tx, child, ctx, f, 'read');
      if (cc.length)
        conds.push(
          sql`${e.table.id} in (select ${c.column} from ${child.table}
            where ${child.table.tenant_id} = ${ctx.tenantId} and (${or(...cc)}))`,
        );
    }
  }
  return conds.length ? (or(...conds) as SQL) : sql`false`;
}

export interface AccessPredicates {
  /** undefined: every record of the tenant may be read. */
  read: SQL | undefined;
  /** undefined: every readable record may be edited. */
  edit: SQL | undefined;
}

/** The WHERE conditions that limit `entity`'s rows to what the actor may read and edit. */
export async function accessPredicates(tx: Tx, ctx: ActorContext, entity: string): Promise<AccessPredicates> {
  return {
    read: await accessPredicate(tx, ctx, entity, 'read'),
    edit: await accessPredicate(tx, ctx, entity, 'edit'),
  };
}

/** One kind of access as a condition on the entity's table (undefined: all rows), computed only when asked. */
async function accessPredicate(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  kind: 'read' | 'edit',
): Promise<SQL | undefined> {
  const e = sharedEntities.get(entity);
  if (!e || seesAll(ctx)) return undefined;
  const access = await defaultAccess(tx, ctx, entity);
  if (access === 'public_read_write' || (kind === 'read' && access === 'public_read')) return undefined;
  return grants(tx, e, ctx, await actorFacts(tx, ctx), kind);
}

/** Rows of `entity` the actor may read, as a condition on that entity's table (undefined: all). */
export async function readableWhere(tx: Tx, ctx: ActorContext, entity: string): Promise<SQL | undefined> {
  return accessPredicate(tx, ctx, entity, 'read');
}

/**
 * A condition on another table's column holding ids of `entity` (signals.opportunity_id …): true
 * when the id is null or names a record the actor may read. undefined when everything is readable.
 */
export async function readableRef(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  column: PgColumn | SQL,
): Promise<SQL | undefined> {
  const e = sharedEntities.get(entity);
  const read = await readableWhere(tx, ctx, entity);
  if (!e || !read) return undefined;
  return sql`(${column} is null or ${column} in (select ${e.table.id} from ${e.table}
    where ${e.table.tenant_id} = ${ctx.tenantId} and ${read}))`;
}

/** The subset of `ids` the actor may read. */
export async function readableIds(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  ids: string[],
): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  const e = sharedEntities.get(entity);
  const read = await readableWhere(tx, ctx, entity);
  if (!e || !read || unique.length === 0) return new Set(unique);
  const rows = (await tx
    .select({ id: e.table.id })
    .from(e.table)
    .where(and(eq(e.table.tenant_id, ctx.tenantId), inArray(e.table.id, unique), read))) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

// ---------- defaults and shares: the one write path (audited, with events) ----------

export async function listDefaults(tx: Tx, ctx: ActorContext) {
  const rows = await tx.select().from(sharingDefaults).where(eq(sharingDefaults.tenant_id, ctx.tenantId));
  const byEntity = new Map(rows.map((r) => [r.entity, r]));
  return sharedEntityNames().map((entity) => {
    const r = byEntity.get(entity);
    return {
      entity,
      access: (r?.access as SharingAccess) ?? DEFAULT_ACCESS,
      updated_at: r ? r.updated_at.toISOString() : null,
    };
  });
}

export async function setDefaults(
  tx: Tx,
  ctx: ActorContext,
  service: SharingService | null,
  items: { entity: string; access: SharingAccess }[],
) {
  const current = new Map((await listDefaults(tx, ctx)).map((d) => [d.entity, d.access]));
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const { entity, access } of items) {
    if (current.get(entity) === access) continue;
    changes[entity] = { old: current.get(entity) ?? DEFAULT_ACCESS, new: access };
    await tx
      .insert(sharingDefaults)
      .values({
        tenant_id: ctx.tenantId,
        entity,
        access,
        updated_by: ctx.actorType === 'user' ? ctx.actorId : null,
      })
      .onConflictDoUpdate({
        target: [sharingDefaults.tenant_id, sharingDefaults.entity],
        set: { access, updated_at: new Date(), updated_by: ctx.actorType === 'user' ? ctx.actorId : null },
      });
  }
  if (Object.keys(changes).length) {
    // The tenant's settings row in the audit trail: entity sharing_defaults, id = the tenant.
    await recordChange(tx, ctx, 'sharing_defaults', ctx.tenantId, 'update', changes);
    await emitEvent(tx, {
      tenantId: ctx.tenantId,
      name: 'sharing_defaults.updated',
      entity: 'sharing_defaults',
      entityId: ctx.tenantId,
      payload: { changes, source: ctx.source },
    });
  }
  service?.evictDefaults(ctx.tenantId);
  serviceFor(ctx).evictDefaults(ctx.tenantId);
  return listDefaults(tx, ctx);
}

export interface ShareItem {
  id: string;
  subject_type: ShareSubjectType;
  subject_id: string;
  subject_name: string | null;
  access: RecordAccess;
  created_at: string;
  created_by_name: string | null;
}

async function subjectNames(
  tx: Tx,
  ctx: ActorContext,
  service: SharingService | null,
  subjects: { subject_type: string; subject_id: string }[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const userIds = [...new Set(subjects.filter((s) => s.subject_type === 'user').map((s) => s.subject_id))];
  const teamIds = [...new Set(subjects.filter((s) => s.subject_type === 'team').map((s) => s.subject_id))];
  if (userIds.length) {
    const rows = await tx
      .select({ id: users.id, name: users.name })
      .from(users)
      .where(and(eq(users.tenant_id, ctx.tenantId), inArray(users.id, userIds)));
    for (const r of rows) names.set(`user:${r.id}`, r.name);
  }
  if (teamIds.length && service?.teams) {
    for (const [id, name] of await service.teams.names(tx, ctx, teamIds)) names.set(`team:${id}`, name);
  }
  return names;
}

export async function listShares(
  tx: Tx,
  ctx: ActorContext,
  service: SharingService | null,
  entity: string,
  recordId: string,
): Promise<ShareItem[]> {
  const rows = await tx
    .select({
      id: recordShares.id,
      subject_type: recordShares.subject_type,
      subject_id: recordShares.subject_id,
      access: recordShares.access,
      created_at: recordShares.created_at,
      created_by_name: users.name,
    })
    .from(recordShares)
    .leftJoin(users, and(eq(users.id, recordShares.created_by), eq(users.tenant_id, recordShares.tenant_id)))
    .where(
      and(
        eq(recordShares.tenant_id, ctx.tenantId),
        eq(recordShares.entity, entity),
        eq(recordShares.record_id, recordId),
      ),
    )
    .orderBy(recordShares.created_at, recordShares.id);
  const names = await subjectNames(tx, ctx, service, rows);
  return rows.map((r) => ({
    id: r.id,
    subject_type: r.subject_type as ShareSubjectType,
    subject_id: r.subject_id,
    subject_name: names.get(`${r.subject_type}:${r.subject_id}`) ?? null,
    access: r.access as RecordAccess,
    created_at: r.created_at.toISOString(),
    created_by_name: r.created_by_name ?? null,
  }));
}

/**
 * Who may share a record or take a share away: admins, the record's owner and anyone above the
 * owner in the manager chain. An edit share lets someone change the record, not pass it on.
 */
export async function canManageShares(
  tx: Tx,
  ctx: ActorContext,
  record: Record<string, unknown>,
  entity: string,
): Promise<boolean> {
  if (seesAll(ctx)) return true;
  const e = sharedEntities.get(entity);
  if (!e) return false;
  const ownerKey = Object.entries(e.table).find(([, col]) => col === e.sharing.owner)?.[0];
  const owner = ownerKey ? record[ownerKey] : undefined;
  if (typeof owner !== 'string') return false;
  return (await actorFacts(tx, ctx)).chain.includes(owner);
}

/** Checks that the subject exists in the caller's tenant; returns its name. */
export async function subjectName(
  tx: Tx,
  ctx: ActorContext,
  service: SharingService | null,
  subject: { subject_type: ShareSubjectType; subject_id: string },
): Promise<string | undefined> {
  return (await subjectNames(tx, ctx, service, [subject])).get(
    `${subject.subject_type}:${subject.subject_id}`,
  );
}

/** Adds a share, or changes the access of the subject's existing share on the record. */
export async function upsertShare(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  recordId: string,
  input: { subject_type: ShareSubjectType; subject_id: string; access: RecordAccess },
): Promise<{ id: string; created: boolean }> {
  const [existing] = await tx
    .select()
    .from(recordShares)
    .where(
      and(
        eq(recordShares.tenant_id, ctx.tenantId),
        eq(recordShares.entity, entity),
        eq(recordShares.record_id, recordId),
        eq(recordShares.subject_type, input.subject_type),
        eq(recordShares.subject_id, input.subject_id),
      ),
    )
    .for('update');
  const base = {
    entity,
    record_id: recordId,
    subject_type: input.subject_type,
    subject_id: input.subject_id,
  };
  if (existing) {
    if (existing.access !== input.access) {
      sharesChanged(tx, ctx);
      await tx.update(recordShares).set({ access: input.access }).where(eq(recordShares.id, existing.id));
      await auditShare(
        tx,
        ctx,
        'update',
        existing.id,
        { access: { old: existing.access, new: input.access } },
        { ...base, access: input.access },
      );
    }
    return { id: existing.id, created: false };
  }
  sharesChanged(tx, ctx);
  const [row] = await tx
    .insert(recordShares)
    .values({
      tenant_id: ctx.tenantId,
      ...base,
      access: input.access,
      created_by: ctx.actorType === 'user' ? ctx.actorId : null,
    })
    .returning();
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const [k, v] of Object.entries({ ...base, access: input.access })) changes[k] = { old: null, new: v };
  await auditShare(tx, ctx, 'create', row.id, changes, { ...base, access: input.access });
  return { id: row.id, created: true };
}

/** Removes one share of the record; false when there is no such share. */
export async function deleteShare(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  recordId: string,
  shareId: string,
): Promise<boolean> {
  sharesChanged(tx, ctx);
  const [row] = await tx
    .delete(recordShares)
    .where(
      and(
        eq(recordShares.tenant_id, ctx.tenantId),
        eq(recordShares.entity, entity),
        eq(recordShares.record_id, recordId),
        eq(recordShares.id, shareId),
      ),
    )
    .returning();
  if (!row) return false;
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const k of ['entity', 'record_id', 'subject_type', 'subject_id', 'access'] as const)
    changes[k] = { old: row[k], new: null };
  await auditShare(tx, ctx, 'delete', row.id, changes, { entity, record_id: recordId });
  return true;
}

/** Shares of deleted records go with them (no foreign key: record_id spans several tables). */
export async function deleteSharesOf(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
  recordId: string,
): Promise<void> {
  sharesChanged(tx, ctx);
  await tx
    .delete(recordShares)
    .where(
      and(
        eq(recordShares.tenant_id, ctx.tenantId),
        eq(recordShares.entity, entity),
        eq(recordShares.record_id, recordId),
      ),
    );
}

/** Every id of `entity` the actor may read, or undefined when they may read them all. */
export async function allReadableIds(
  tx: Tx,
  ctx: ActorContext,
  entity: string,
): Promise<Set<string> | undefined> {
  const e = sharedEntities.get(entity);
  const read = await readableWhere(tx, ctx, entity);
  if (!e || !read) return undefined;
  const rows = (await tx
    .select({ id: e.table.id })
    .from(e.table)
    .where(and(eq(e.table.tenant_id, ctx.tenantId), read))) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** A share's audit entry and its event (record_shares.created | updated | deleted), in the caller's transaction. */
async function auditShare(
  tx: Tx,
  ctx: ActorContext,
  action: 'create' | 'update' | 'delete',
  shareId: string,
  changes: Record<string, { old: unknown; new: unknown }>,
  payload: Record<string, unknown>,
): Promise<void> {
  await recordChange(tx, ctx, 'record_shares', shareId, action, changes);
  await emitEvent(tx, {
    tenantId: ctx.tenantId,
    name: `record_shares.${action === 'create' ? 'created' : action === 'update' ? 'updated' : 'deleted'}`,
    entity: 'record_shares',
    entityId: shareId,
    payload: { ...payload, source: ctx.source },
  });
}

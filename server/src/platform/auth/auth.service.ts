import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.js';
import { tenants } from '../tenancy/tenancy.schema.js';
import { apiKeys, sessions, users } from './auth.schema.js';
import type { ActorContext } from './auth-context.js';
import { assertCanGrant } from './grants.js';
import { type LoginLimits, LoginThrottle } from './login-throttle.js';
import { permissionsOf, ROLES, type Role } from './permissions.js';

export const SESSION_COOKIE = 'zs_session';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newToken = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

export function hashPassword(password: string): Promise<string> {
  // @node-rs/argon2 defaults to argon2id.
  return hash(password);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

/**
 * Ends a user's sessions inside the caller's transaction, all of them or all but `keepSessionId`
 * (the caller's own, when users change their own password). Evict the cache after the commit.
 */
export async function endSessions(tx: Tx, userId: string, keepSessionId?: string): Promise<void> {
  await tx
    .delete(sessions)
    .where(and(eq(sessions.user_id, userId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined));
}

export interface SessionUser {
  id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  name: string;
  role: Role;
  locale: string | null;
}

export type LoginResult =
  | { kind: 'ok'; token: string; expires: Date; user: SessionUser }
  /** Password right for users in several organisations and no tenant named. */
  | { kind: 'ambiguous' }
  /** Unknown email, wrong password, inactive user or wrong tenant: one answer for all. */
  | { kind: 'wrong' }
  | { kind: 'throttled'; retryAfterSeconds: number };

/** What a credential resolves to: the actor and, for a person's session, the user. */
export type ResolvedCredential = { ctx: ActorContext; user: SessionUser | null };

/**
 * A module's lookup for bearer tokens the platform does not issue itself (e.g. OAuth access
 * tokens): null when the token is not one of its own or is unknown, expired or revoked. The
 * resolver alone decides what the token may do; results are cached like sessions (evict on revoke).
 */
export type TokenResolver = (token: string) => Promise<ResolvedCredential | null>;

const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailuresPerIp: 30,
  maxFailuresPerAccount: 5,
  windowSeconds: 900,
};
const CACHE_TTL_MS = 5_000;
/**
 * A cached credential used this close to its expiry is looked up again in the background, so a
 * busy client's entry is renewed before it lapses: otherwise every request in flight waits for the
 * one lookup, which itself waits behind them for a pooled connection (a stall every 5 s). The
 * cached answer is never used beyond CACHE_TTL_MS.
 */
const REFRESH_AHEAD_MS = 1_500;

/**
 * Resolves credentials (session token or API key) to an actor. Results are cached briefly
 * so a busy client does not pay a database round trip per request; logout, key revocation and
 * every change of a user (role, active, password) evict the cache. The cache and the login
 * throttle are per process.
 */
export class AuthService {
  private cache = new Map<string, { ctx: ActorContext | null; user: SessionUser | null; until: number }>();
  /** Bumped by every eviction: a lookup that overlapped one is not cached (it may have read the old state). */
  private epoch = 0;
  /**
   * Lookups under way, by token: requests that miss the cache together (50 clients when an entry
   * expires) share one database round trip instead of queueing one each for the pool. A lookup
   * is shared only within the epoch it started in.
   */
  private inflight = new Map<string, { epoch: number; result: Promise<ResolvedCredential | null> }>();
  private readonly resolvers: TokenResolver[] = [];
  readonly throttle: LoginThrottle;
  /** Verified when the email is unknown, so that answer costs the same as a wrong password. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly database: Database,
    private readonly sessionTtlHours: number,
    loginLimits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {
    this.throttle = new LoginThrottle(loginLimits);
    this.dummyHash = hashPassword(randomBytes(24).toString('base64url'));
  }

  /**
   * Lets a module resolve bearer tokens that are neither a session (`zs_sess_…`) nor an API key
   * (`zs_key_…`); returns the function that removes it again.
   */
  useTokenResolver(resolve: TokenResolver): () => void {
    this.resolvers.push(resolve);
    return () => {
      const i = this.resolvers.indexOf(resolve);
      if (i >= 0) this.resolvers.splice(i, 1);
      this.evictAll();
    };
  }

  /** Applies config.login (the routes call this with app.platform.config.login). */
  configureLogin(limits: LoginLimits): void {
    this.throttle.configure(limits);
  }

  /**
   * Email + password → a new session. Throttled per IP and per account (failures only); the
   * password is checked against every active user with that email (a dummy hash when there is
   * none), and only then is the organisation chosen.
   */
  async login(email: string, password: string, opts: { tenant?: string; ip: string }): Promise<LoginResult> {
    const retryAfter = this.throttle.retryAfter(opts.ip, email);
    if (retryAfter > 0) return { kind: 'throttled', retryAfterSeconds: retryAfter };
    const rows = await this.database.systemTx(async (tx) =>
      tx
        .select({ user: users, tenant_name: tenants.name })
        .from(users)
        .innerJoin(tenants, eq(tenants.id, users.tenant_id))
        .where(
          and(
            sql`lower(${users.email}) = lower(${email.trim()})`,
            eq(users.active, true),
            opts.tenant ? eq(tenants.name, opts.tenant) : undefined,
          ),
        ),
    );
    const matches: typeof rows = [];
    if (rows.length === 0) await verifyPassword(await this.dummyHash, password);
    for (const row of rows) {
      // A user without a password still costs one verification, like everyone else.
      const ok = await verifyPassword(row.user.password_hash ?? (await this.dummyHash), password);
      if (ok && row.user.password_hash) matches.push(row);
    }
    if (matches.length === 0) {
      this.throttle.failed(opts.ip, email);
      return { kind: 'wrong' };
    }
    this.throttle.succeeded(email);
    if (matches.length > 1) return { kind: 'ambiguous' };
    const { user, tenant_name } = matches[0];
    const token = newToken('zs_sess');
    const expires = new Date(Date.now() + this.sessionTtlHours * 3600_000);
    await this.database.systemTx(async (tx) =>
      tx.insert(sessions).values({
        token_hash: sha256(token),
        tenant_id: user.tenant_id,
        user_id: user.id,
        expires_at: expires,
      }),
    );
    return { kind: 'ok', token, expires, user: toSessionUser(user, tenant_name) };
  }

  /** Checks a signed-in user's own password (failures count towards the login throttle). */
  async checkOwnPassword(
    tx: Tx,
    ctx: ActorContext,
    password: string,
    ip: string,
  ): Promise<'ok' | 'wrong' | { retryAfterSeconds: number }> {
    const [row] = await tx
      .select({ email: users.email, password_hash: users.password_hash })
      .from(users)
      .where(and(eq(users.tenant_id, ctx.tenantId), eq(users.id, ctx.actorId ?? '')));
    if (!row) return 'wrong';
    const retryAfter = this.throttle.retryAfter(ip, row.email);
    if (retryAfter > 0) return { retryAfterSeconds: retryAfter };
    if (row.password_hash && (await verifyPassword(row.password_hash, password))) return 'ok';
    this.throttle.failed(ip, row.email);
    return 'wrong';
  }

  async logout(token: string): Promise<void> {
    this.cache.delete(token);
    this.epoch += 1;
    await this.database.query('delete from sessions where token_hash = $1', [sha256(token)]);
  }

  /** Returns the actor for a bearer/cookie credential, or null when it is unknown, expired or revoked. */
  async authenticate(
    token: string,
    source: string,
  ): Promise<{ ctx: ActorContext; user: SessionUser | null } | null> {
    const hit = this.cache.get(token);
    const now = Date.now();
    if (hit && hit.until > now) {
      if (hit.until - now < REFRESH_AHEAD_MS && !this.inflight.has(token))
        this.lookup(token).catch(() => {
          /* the next request after expiry looks up again and reports the error */
        });
      return hit.ctx ? { ctx: { ...hit.ctx, source }, user: hit.user } : null;
    }
    const resolved = await this.lookup(token);
    return resolved ? { ctx: { ...resolved.ctx, source }, user: resolved.user } : null;
  }

  /** Looks the credential up (one lookup per token at a time, per epoch) and caches the answer. */
  private async lookup(token: string): Promise<ResolvedCredential | null> {
    const epoch = this.epoch;
    let flight = this.inflight.get(token);
    if (!flight || flight.epoch !== epoch) {
      const entry: { epoch: number; result: Promise<ResolvedCredential | null> } = {
        epoch,
        result: Promise.resolve(null),
      };
      entry.result = (async () => {
        try {
          return token.startsWith('zs_key_')
            ? await this.resolveApiKey(token)
            : token.startsWith('zs_sess_')
              ? await this.resolveSession(token)
              : await this.resolveOther(token);
        } finally {
          if (this.inflight.get(token) === entry) this.inflight.delete(token);
        }
      })();
      this.inflight.set(token, entry);
      flight = entry;
    }
    const resolved = await flight.result;
    if (epoch === this.epoch) {
      if (this.cache.size >= 10_000) this.cache.clear();
      this.cache.set(token, {
        ctx: resolved?.ctx ?? null,
        user: resolved?.user ?? null,
        until: Date.now() + CACHE_TTL_MS,
      });
    }
    return resolved;
  }

  /** A token of no platform prefix: the modules' resolvers first, then (as before) a session lookup. */
  private async resolveOther(token: string): Promise<ResolvedCredential | null> {
    for (const resolve of this.resolvers) {
      const hit = await resolve(token);
      if (hit) return hit;
    }
    return this.resolveSession(token);
  }

  // One statement each, so no transaction around them (BEGIN and COMMIT were two of three round trips).
  private async resolveSession(token: string) {
    const rows = await this.database.db
      .select({ user: users, tenant_name: tenants.name, session_id: sessions.id })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.user_id))
      .innerJoin(tenants, eq(tenants.id, sessions.tenant_id))
      .where(
        and(
          eq(sessions.token_hash, sha256(token)),
          gt(sessions.expires_at, new Date()),
          eq(users.active, true),
        ),
      );
    if (rows.length === 0) return null;
    const { user, tenant_name, session_id } = rows[0];
    const role = user.role as Role;
    const ctx: ActorContext = {
      tenantId: user.tenant_id,
      actorType: 'user',
      actorId: user.id,
      actorName: user.name,
      role,
      permissions: new Set(permissionsOf(role)),
      source: 'api',
      sessionId: session_id,
    };
    return { ctx, user: toSessionUser(user, tenant_name) };
  }

  private async resolveApiKey(token: string) {
    // The key and its creator in one lookup: a key never outlives or outranks the person who made
    // it (a deactivated creator's keys stop working, a demoted creator's keep only what they hold).
    const rows = await this.database.db
      .select({ key: apiKeys, creator_active: users.active, creator_role: users.role })
      .from(apiKeys)
      .leftJoin(users, and(eq(users.tenant_id, apiKeys.tenant_id), eq(users.id, apiKeys.created_by)))
      .where(and(eq(apiKeys.key_hash, sha256(token)), isNull(apiKeys.revoked_at)));
    if (rows.length === 0) return null;
    const { key, creator_active, creator_role } = rows[0];
    const role = key.role as Role;
    let permissions = permissionsOf(role, key.scopes);
    const hasCreator = creator_role !== null;
    if (hasCreator) {
      if (!creator_active) return null;
      const held = new Set(permissionsOf(creator_role as Role));
      permissions = permissions.filter((p) => held.has(p));
    }
    const ctx: ActorContext = {
      tenantId: key.tenant_id,
      actorType: 'api_key',
      actorId: key.id,
      actorName: `API key ${key.name}`,
      role,
      permissions: new Set(permissions),
      source: 'api',
      creatorId: hasCreator ? (key.created_by ?? undefined) : undefined,
    };
    return { ctx, user: null };
  }

  /** Creates a key; refused (403) when it would hold a right its creator does not hold. */
  async createApiKey(tx: Tx, ctx: ActorContext, input: { name: string; role: Role; scopes: string[] }) {
    assertCanGrant(ctx, permissionsOf(input.role, input.scopes), input.scopes.length > 0 ? 'scopes' : 'role');
    const key = newToken('zs_key');
    const [row] = await tx
      .insert(apiKeys)
      .values({
        tenant_id: ctx.tenantId,
        name: input.name,
        prefix: key.slice(0, 14),
        key_hash: sha256(key),
        role: input.role,
        scopes: input.scopes,
        created_by: ctx.actorId,
      })
      .returning();
    const { key_hash: _omit, ...rest } = row;
    return { ...rest, key };
  }

  /** Forgets every cached credential (after an API key is revoked). */
  evictAll(): void {
    this.cache.clear();
    this.epoch += 1;
  }

  /** Forgets the cached sessions of one user (after a change of role, active flag or password). */
  evictUser(userId: string): void {
    for (const [token, entry] of this.cache)
      if (entry.user?.id === userId || entry.ctx?.actorId === userId || entry.ctx?.creatorId === userId)
        this.cache.delete(token);
    this.epoch += 1;
  }
}

function toSessionUser(user: typeof users.$inferSelect, tenantName: string): SessionUser {
  return {
    id: user.id,
    tenant_id: user.tenant_id,
    tenant_name: tenantName,
    email: user.email,
    name: user.name,
    role: user.role as Role,
    locale: user.locale,
  };
}

export const roleSchemaValues = ROLES;

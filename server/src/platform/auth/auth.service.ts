import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.js';
import { tenants } from '../tenancy/tenancy.schema.js';
import { apiKeys, sessions, users } from './auth.schema.js';
import type { ActorContext } from './auth-context.js';
import { permissionsOf, ROLES, type Role } from './permissions.js';

export const SESSION_COOKIE = 'zs_session';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newToken = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

export function hashPassword(password: string): Promise<string> {
  // @node-rs/argon2 defaults to argon2id.
  return hash(password);
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

/**
 * Resolves credentials (session token or API key) to an actor. Results are cached briefly
 * so a busy client does not pay a database round trip per request; logout and key revocation
 * evict the cache.
 */
export class AuthService {
  private cache = new Map<string, { ctx: ActorContext | null; user: SessionUser | null; until: number }>();

  constructor(
    private readonly database: Database,
    private readonly sessionTtlHours: number,
  ) {}

  async login(email: string, password: string, tenantName?: string) {
    const rows = await this.database.systemTx(async (tx) =>
      tx
        .select({ user: users, tenant_name: tenants.name })
        .from(users)
        .innerJoin(tenants, eq(tenants.id, users.tenant_id))
        .where(
          and(
            sql`lower(${users.email}) = lower(${email})`,
            eq(users.active, true),
            tenantName ? eq(tenants.name, tenantName) : undefined,
          ),
        ),
    );
    // Same email in several tenants: the caller must say which one.
    if (rows.length !== 1) return rows.length > 1 ? ('ambiguous' as const) : null;
    const { user, tenant_name } = rows[0];
    if (!user.password_hash || !(await verify(user.password_hash, password).catch(() => false))) return null;
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
    return { token, expires, user: toSessionUser(user, tenant_name) };
  }

  async logout(token: string): Promise<void> {
    this.cache.delete(token);
    await this.database.query('delete from sessions where token_hash = $1', [sha256(token)]);
  }

  /** Returns the actor for a bearer/cookie credential, or null when it is unknown, expired or revoked. */
  async authenticate(
    token: string,
    source: string,
  ): Promise<{ ctx: ActorContext; user: SessionUser | null } | null> {
    const hit = this.cache.get(token);
    if (hit && hit.until > Date.now())
      return hit.ctx ? { ctx: { ...hit.ctx, source }, user: hit.user } : null;
    const resolved = token.startsWith('zs_key_')
      ? await this.resolveApiKey(token)
      : await this.resolveSession(token);
    this.cache.set(token, {
      ctx: resolved?.ctx ?? null,
      user: resolved?.user ?? null,
      until: Date.now() + 5_000,
    });
    if (this.cache.size > 10_000) this.cache.clear();
    return resolved ? { ctx: { ...resolved.ctx, source }, user: resolved.user } : null;
  }

  private async resolveSession(token: string) {
    const rows = await this.database.systemTx(async (tx) =>
      tx
        .select({ user: users, tenant_name: tenants.name })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.user_id))
        .innerJoin(tenants, eq(tenants.id, sessions.tenant_id))
        .where(
          and(
            eq(sessions.token_hash, sha256(token)),
            gt(sessions.expires_at, new Date()),
            eq(users.active, true),
          ),
        ),
    );
    if (rows.length === 0) return null;
    const { user, tenant_name } = rows[0];
    const role = user.role as Role;
    const ctx: ActorContext = {
      tenantId: user.tenant_id,
      actorType: 'user',
      actorId: user.id,
      actorName: user.name,
      role,
      permissions: new Set(permissionsOf(role)),
      source: 'api',
    };
    return { ctx, user: toSessionUser(user, tenant_name) };
  }

  private async resolveApiKey(token: string) {
    const rows = await this.database.systemTx(async (tx) =>
      tx
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.key_hash, sha256(token)), isNull(apiKeys.revoked_at))),
    );
    if (rows.length === 0) return null;
    const key = rows[0];
    const role = key.role as Role;
    const ctx: ActorContext = {
      tenantId: key.tenant_id,
      actorType: 'api_key',
      actorId: key.id,
      actorName: `API key ${key.name}`,
      role,
      permissions: new Set(permissionsOf(role, key.scopes)),
      source: 'api',
    };
    return { ctx, user: null };
  }

  async createApiKey(tx: Tx, ctx: ActorContext, input: { name: string; role: Role; scopes: string[] }) {
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

  evictAll(): void {
    this.cache.clear();
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

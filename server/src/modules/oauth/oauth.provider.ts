import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { ClientInstance, default as Provider, ProviderContext } from 'oidc-provider';
import type { ResolvedCredential } from '../../platform/auth/auth.service.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { permissionsOf, type Role } from '../../platform/auth/permissions.js';
import type { Database } from '../../platform/db/database.js';
import type { Platform } from '../../platform/platform.js';
import { drizzleAdapter, findAccessToken } from './oauth.adapter.js';
import { oauthApps, oauthArtefacts } from './oauth.schema.js';
import { API_RESOURCE, API_SCOPES, isApiScope, OIDC_SCOPES } from './oauth.scopes.js';
import { addUsage, sha256 } from './oauth.service.js';
import { userById } from './oauth.users.js';

/** Lifetimes (seconds) of what the provider issues. */
export const TOKEN_TTL = {
  AccessToken: 3600,
  ClientCredentials: 3600,
  AuthorizationCode: 60,
  RefreshToken: 30 * 86_400,
  Interaction: 3600,
  Session: 14 * 86_400,
  Grant: 30 * 86_400,
  IdToken: 3600,
};

/** Per-minute request limits (env ZHONGSHU_RATE_LIMIT_PER_MIN / ZHONGSHU_RATE_LIMIT_SESSION_PER_MIN). */
export interface RateLimits {
  /** Per API key and per OAuth app (all its tokens together). */
  perClient: number;
  /** Per signed-in user of the web app (session). */
  perSession: number;
  /** Per IP for callers without a credential. */
  perAnonymous: number;
}

function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

export function limitsFromEnv(): RateLimits {
  return {
    perClient: envInt('ZHONGSHU_RATE_LIMIT_PER_MIN', 600),
    perSession: envInt('ZHONGSHU_RATE_LIMIT_SESSION_PER_MIN', 6000),
    perAnonymous: envInt('ZHONGSHU_RATE_LIMIT_ANONYMOUS_PER_MIN', 600),
  };
}

/** The module's per-platform state: providers by issuer, usage counts not yet flushed, limits. */
export interface OAuthRuntime {
  usage: Map<string, { tenant_id: string; app_id: string; day: string; calls: number }>;
  limits: RateLimits;
  timer?: NodeJS.Timeout;
}

const runtimes = new WeakMap<Platform, OAuthRuntime>();

export function oauthRuntime(platform: Platform): OAuthRuntime {
  let rt = runtimes.get(platform);
  if (!rt) {
    rt = { usage: new Map(), limits: limitsFromEnv() };
    runtimes.set(platform, rt);
  }
  return rt;
}

/** Counts one API call of an app (flushed to oauth_app_usage every few seconds). */
export function countCall(platform: Platform, ctx: ActorContext): void {
  if (!ctx.appId) return;
  const day = new Date().toISOString().slice(0, 10);
  const key = `${ctx.appId}|${day}`;
  const usage = oauthRuntime(platform).usage;
  const hit = usage.get(key);
  if (hit) hit.calls += 1;
  else usage.set(key, { tenant_id: ctx.tenantId, app_id: ctx.appId, day, calls: 1 });
}

/** Writes the counted calls to the database. */
export async function flushUsage(platform: Platform): Promise<void> {
  const rt = oauthRuntime(platform);
  if (rt.usage.size === 0) return;
  const entries = [...rt.usage.values()];
  rt.usage.clear();
  await platform.database.systemTx((tx) => addUsage(tx, entries));
}

// ---------- keys ----------

interface StoredKey {
  jwk: Record<string, unknown>;
}

/** A new RS256 signing key, stored in the database; it signs from now on, older keys still verify. */
export async function rotateSigningKey(database: Database): Promise<string> {
  const kid = randomBytes(12).toString('base64url');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  await database.systemTx((tx) =>
    tx.insert(oauthArtefacts).values({ model: 'SigningKey', id: kid, payload: { jwk } }),
  );
  // Providers are rebuilt with the new key list (the server's own, when the CLI runs inside it).
  providerCache(database).clear();
  return kid;
}

async function signingKeys(database: Database): Promise<Record<string, unknown>[]> {
  const read = () =>
    database.systemTx((tx) =>
      tx
        .select({ payload: oauthArtefacts.payload })
        .from(oauthArtefacts)
        .where(eq(oauthArtefacts.model, 'SigningKey'))
        .orderBy(desc(oauthArtefacts.created_at), desc(oauthArtefacts.id)),
    );
  let rows = await read();
  if (rows.length === 0) {
    await rotateSigningKey(database);
    rows = await read();
  }
  return rows.map((r) => (r.payload as StoredKey).jwk);
}

async function cookieKeys(database: Database): Promise<string[]> {
  const fresh = { keys: [randomBytes(32).toString('base64url')] };
  return database.systemTx(async (tx) => {
    await tx
      .insert(oauthArtefacts)
      .values({ model: 'CookieKeys', id: 'default', payload: fresh })
      .onConflictDoNothing();
    const [row] = await tx
      .select({ payload: oauthArtefacts.payload })
      .from(oauthArtefacts)
      .where(and(eq(oauthArtefacts.model, 'CookieKeys'), eq(oauthArtefacts.id, 'default')));
    return (row.payload as { keys: string[] }).keys;
  });
}

// ---------- the provider ----------

/** The provider for an issuer (the server's origin as the client sees it), built once per issuer. */
/** Providers by issuer: a few at most (the public address, localhost…); bounded against odd Host headers. */
const providerCache = (database: Database) =>
  database.caches.map<string, Promise<Provider>>('oauth.providers', { max: 16 });

export function providerFor(platform: Platform, issuer: string): Promise<Provider> {
  const cache = providerCache(platform.database);
  let p = cache.get(issuer);
  if (!p) {
    p = buildProvider(platform, issuer);
    p.catch(() => cache.delete(issuer));
    cache.set(issuer, p);
  }
  return p;
}

/**
 * oidc-provider, loaded when the first OAuth request needs it (not when a CLI command loads the
 * modules). Its import-time notice that Node 20 is not a runtime it targets (it wants 22 LTS) would
 * land on every process's stderr; the suite runs it on Node 20, so that one line is left out.
 */
async function loadOidcProvider(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

async function buildProvider(platform: Platform, issuer: string): Promise<Provider> {
  const { default: Provider, errors } = await loadOidcProvider();
  const { database } = platform;
  const [keys, cookies] = await Promise.all([signingKeys(database), cookieKeys(database)]);
  const secure = platform.config.cookieSecure;
  const cookieOpts = { signed: true, httpOnly: true, sameSite: 'lax', secure };
  const provider = new Provider(issuer, {
    adapter: drizzleAdapter(database, () => platform.auth.evictAll()),
    jwks: { keys },
    cookies: { keys: cookies, long: cookieOpts, short: cookieOpts },
    async findAccount(_ctx: ProviderContext, sub: string) {
      const user = await userById(database, sub);
      if (!user?.active) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, name: user.name, email: user.email, locale: user.locale ?? undefined };
        },
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'locale'], email: ['email'] },
    scopes: [...OIDC_SCOPES, ...API_SCOPES],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: ProviderContext, indicator: string) => {
          if (indicator !== API_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPES.join(' '),
            audience: API_RESOURCE,
            accessTokenFormat: 'opaque',
            accessTokenTTL: TOKEN_TTL.AccessToken,
          };
        },
      },
    },
    pkce: { required: (_ctx: ProviderContext, client: ClientInstance) => client.clientAuthMethod === 'none' },
    issueRefreshToken: async (_ctx: ProviderContext, client: ClientInstance) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => true,
    clientBasedCORS: (_ctx: ProviderContext, origin: string, client: ClientInstance) =>
      client.redirectUris.some((u) => URL.parse(u)?.origin === origin),
    interactions: {
      url: (_ctx: ProviderContext, interaction: { uid: string }) => `/oauth/interaction/${interaction.uid}`,
    },
    routes: {
      authorization: '/oauth/authorize',
      token: '/oauth/token',
      jwks: '/oauth/jwks',
      userinfo: '/oauth/userinfo',
      revocation: '/oauth/revoke',
      introspection: '/oauth/introspect',
      end_session: '/oauth/logout',
      pushed_authorization_request: '/oauth/par',
      code_verification: '/oauth/device',
      device_authorization: '/oauth/device/auth',
      backchannel_authentication: '/oauth/backchannel',
      registration: '/oauth/register',
      challenge: '/oauth/challenge',
    },
    ttl: TOKEN_TTL,
  });
  // Secrets are stored as their SHA-256: compare the hash of what the client sent.
  const compare = provider.Client.prototype.compareClientSecret;
  provider.Client.prototype.compareClientSecret = function compareHashed(
    this: ClientInstance,
    actual: string,
  ) {
    return compare.call(this, sha256(actual));
  };
  return provider;
}

// ---------- access tokens on the API ----------

/**
 * The platform's resolver for our opaque access tokens: a user's token acts as that user (their
 * role today, intersected with the granted scopes and the app's scopes; record-level sharing sees
 * them); a client-credentials token acts as the service account of the app's owner.
 */
export function oauthTokenResolver(platform: Platform) {
  const { database } = platform;
  return async (token: string): Promise<ResolvedCredential | null> => {
    if (!/^[A-Za-z0-9_-]{32,128}$/.test(token)) return null;
    const at = await findAccessToken(database, token);
    if (!at || typeof at.clientId !== 'string') return null;
    const aud = Array.isArray(at.aud) ? at.aud : [at.aud];
    if (!aud.includes(API_RESOURCE)) return null;
    const [app] = await database.systemTx((tx) =>
      tx
        .select()
        .from(oauthApps)
        .where(eq(oauthApps.client_id, at.clientId as string)),
    );
    if (!app) return null;
    const scopes = String(at.scope ?? '')
      .split(' ')
      .filter((s) => isApiScope(s) && app.scopes.includes(s));
    const subject =
      at.kind === 'AccessToken' && typeof at.accountId === 'string' ? at.accountId : app.created_by;
    if (!subject) return null;
    const user = await userById(database, subject);
    if (!user?.active || user.tenant_id !== app.tenant_id) return null;
    const role = user.role as Role;
    // No scope means no right (permissionsOf treats an empty list as "the whole role").
    const permissions = new Set(scopes.length ? permissionsOf(role, scopes) : []);
    const ctx: ActorContext =
      at.kind === 'AccessToken'
        ? {
            tenantId: app.tenant_id,
            actorType: 'user',
            actorId: user.id,
            actorName: user.name,
            role,
            permissions,
            source: 'api',
            appId: app.id,
          }
        : {
            tenantId: app.tenant_id,
            actorType: 'api_key',
            actorId: app.id,
            actorName: `OAuth app ${app.name}`,
            role,
            permissions,
            source: 'api',
            creatorId: user.id,
            appId: app.id,
          };
    return { ctx, user: null };
  };
}

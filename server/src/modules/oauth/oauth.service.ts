import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { AdapterPayload } from 'oidc-provider';
import { recordChange } from '../../platform/audit/change-log.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { assertCanGrant } from '../../platform/auth/grants.js';
import type { Tx } from '../../platform/db/database.js';
import { notFound, ProblemError } from '../../platform/http/problem.js';
import { oauthApps, oauthAppUsage } from './oauth.schema.js';
import { OIDC_SCOPES } from './oauth.scopes.js';

export type AppRow = typeof oauthApps.$inferSelect;
export type AppType = 'public' | 'confidential';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const newClientId = () => `zs_app_${randomBytes(12).toString('base64url')}`;
const newSecret = () => `zs_secret_${randomBytes(32).toString('base64url')}`;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a redirect URI is refused, or undefined: an absolute URI without a fragment; https, or http
 * on a loopback address (a developer's machine, a desktop app); public apps may also use a
 * private-use scheme with a dot (`com.example.app:/callback`, RFC 8252).
 */
export function redirectUriProblem(uri: string, type: AppType): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not an absolute URI';
  }
  if (url.hash || uri.includes('#')) return 'must not contain a fragment (#)';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:')
    return LOOPBACK.has(url.hostname) ? undefined : 'http is only allowed for localhost';
  if (type === 'public' && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/i.test(url.protocol)) return undefined;
  return 'must be https (http only for localhost)';
}

function assertRedirectUris(uris: string[], type: AppType): void {
  const errors = uris
    .map((u, i) => ({ i, reason: redirectUriProblem(u, type) }))
    .filter((e) => e.reason)
    .map((e) => ({ field: `redirect_uris.${e.i}`, reason: String(e.reason) }));
  if (errors.length) throw new ProblemError(400, 'Bad Request', 'Invalid redirect URI', errors);
  if (type === 'public' && uris.length === 0)
    throw new ProblemError(400, 'Bad Request', 'A public app needs at least one redirect URI', [
      { field: 'redirect_uris', reason: 'at least one' },
    ]);
}

/** The oidc-provider client metadata of an app (its secret only as the hash: see compareClientSecret). */
export function clientMetadata(row: AppRow): AdapterPayload {
  const isPublic = row.app_type === 'public';
  const hasRedirects = row.redirect_uris.length > 0;
  const grantTypes = [
    ...(hasRedirects ? ['authorization_code', 'refresh_token'] : []),
    ...(isPublic ? [] : ['client_credentials']),
  ];
  const customScheme = row.redirect_uris.some((u) => !/^https?:/i.test(u));
  return {
    client_id: row.client_id,
    client_name: row.name,
    ...(isPublic ? {} : { client_secret: row.secret_hash ?? '' }),
    token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
    application_type: customScheme ? 'native' : 'web',
    redirect_uris: row.redirect_uris,
    grant_types: grantTypes,
    response_types: hasRedirects ? ['code'] : [],
    scope: [...OIDC_SCOPES, ...row.scopes].join(' '),
    id_token_signed_response_alg: 'RS256',
  };
}

export interface AppInput {
  name: string;
  type: AppType;
  redirect_uris: string[];
  scopes: string[];
}

export function presentApp(row: AppRow) {
  return {
    id: row.id,
    client_id: row.client_id,
    name: row.name,
    type: row.app_type as AppType,
    redirect_uris: row.redirect_uris,
    scopes: row.scopes,
    secret_prefix: row.secret_prefix,
    secret_rotated_at: row.secret_rotated_at?.toISOString() ?? null,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function listApps(tx: Tx, ctx: ActorContext): Promise<AppRow[]> {
  return tx
    .select()
    .from(oauthApps)
    .where(eq(oauthApps.tenant_id, ctx.tenantId))
    .orderBy(desc(oauthApps.created_at));
}

export async function getApp(tx: Tx, ctx: ActorContext, id: string): Promise<AppRow> {
  const [row] = await tx
    .select()
    .from(oauthApps)
    .where(and(eq(oauthApps.tenant_id, ctx.tenantId), eq(oauthApps.id, id)));
  if (!row) throw notFound('App');
  return row;
}

/** Registers an app; a confidential app's secret is returned here once and never again. */
export async function createApp(tx: Tx, ctx: ActorContext, input: AppInput) {
  assertCanGrant(ctx, input.scopes, 'scopes');
  assertRedirectUris(input.redirect_uris, input.type);
  const secret = input.type === 'confidential' ? newSecret() : null;
  const [row] = await tx
    .insert(oauthApps)
    .values({
      tenant_id: ctx.tenantId,
      client_id: newClientId(),
      name: input.name,
      app_type: input.type,
      redirect_uris: [...new Set(input.redirect_uris)],
      scopes: [...new Set(input.scopes)].sort(),
      secret_hash: secret ? sha256(secret) : null,
      secret_prefix: secret ? secret.slice(0, 14) : null,
      created_by: ctx.actorId,
    })
    .returning();
  await recordChange(tx, ctx, 'oauth_apps', row.id, 'create', {
    name: { old: null, new: row.name },
    type: { old: null, new: row.app_type },
    scopes: { old: null, new: row.scopes },
    redirect_uris: { old: null, new: row.redirect_uris },
  });
  return { ...presentApp(row), client_secret: secret };
}

export async function updateApp(
  tx: Tx,
  ctx: ActorContext,
  id: string,
  patch: Partial<Omit<AppInput, 'type'>>,
) {
  const row = await getApp(tx, ctx, id);
  const type = row.app_type as AppType;
  if (patch.scopes) assertCanGrant(ctx, patch.scopes, 'scopes');
  if (patch.redirect_uris) assertRedirectUris(patch.redirect_uris, type);
  const next = {
    name: patch.name ?? row.name,
    redirect_uris: patch.redirect_uris ? [...new Set(patch.redirect_uris)] : row.redirect_uris,
    scopes: patch.scopes ? [...new Set(patch.scopes)].sort() : row.scopes,
  };
  const [updated] = await tx
    .update(oauthApps)
    .set({ ...next, updated_at: new Date() })
    .where(and(eq(oauthApps.tenant_id, ctx.tenantId), eq(oauthApps.id, id)))
    .returning();
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const k of ['name', 'redirect_uris', 'scopes'] as const)
    if (JSON.stringify(row[k]) !== JSON.stringify(next[k])) changes[k] = { old: row[k], new: next[k] };
  if (Object.keys(changes).length) await recordChange(tx, ctx, 'oauth_apps', id, 'update', changes);
  return updated;
}

/** A new secret for a confidential app; the old one stops working at once. */
export async function rotateAppSecret(tx: Tx, ctx: ActorContext, id: string) {
  const row = await getApp(tx, ctx, id);
  if (row.app_type !== 'confidential')
    throw new ProblemError(409, 'Conflict', 'A public app has no secret', [
      { field: 'type', reason: 'public apps use PKCE instead of a secret' },
    ]);
  const secret = newSecret();
  const [updated] = await tx
    .update(oauthApps)
    .set({
      secret_hash: sha256(secret),
      secret_prefix: secret.slice(0, 14),
      secret_rotated_at: new Date(),
      updated_at: new Date(),
    })
    .where(and(eq(oauthApps.tenant_id, ctx.tenantId), eq(oauthApps.id, id)))
    .returning();
  await recordChange(tx, ctx, 'oauth_apps', id, 'update', {
    secret: { old: '(rotated)', new: '(new secret)' },
  });
  return { ...presentApp(updated), client_secret: secret };
}

export async function deleteApp(tx: Tx, ctx: ActorContext, id: string): Promise<AppRow> {
  const row = await getApp(tx, ctx, id);
  await tx.delete(oauthApps).where(and(eq(oauthApps.tenant_id, ctx.tenantId), eq(oauthApps.id, id)));
  await recordChange(tx, ctx, 'oauth_apps', id, 'delete', { name: { old: row.name, new: null } });
  return row;
}

/** Calls per app: today (UTC) and the last 7 days including today. */
export async function usageOf(tx: Tx, ctx: ActorContext, appIds: string[]) {
  const out = new Map<string, { today: number; last_7_days: number }>();
  for (const id of appIds) out.set(id, { today: 0, last_7_days: 0 });
  if (appIds.length === 0) return out;
  const today = new Date().toISOString().slice(0, 10);
  const since = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
  const rows = await tx
    .select({ app_id: oauthAppUsage.app_id, day: oauthAppUsage.day, calls: oauthAppUsage.calls })
    .from(oauthAppUsage)
    .where(
      and(
        eq(oauthAppUsage.tenant_id, ctx.tenantId),
        inArray(oauthAppUsage.app_id, appIds),
        gte(oauthAppUsage.day, since),
      ),
    );
  for (const r of rows) {
    const u = out.get(r.app_id);
    if (!u) continue;
    u.last_7_days += r.calls;
    if (r.day === today) u.today += r.calls;
  }
  return out;
}

/** Adds counted calls (app id → calls on a day) to the usage table. */
export async function addUsage(
  tx: Tx,
  entries: { tenant_id: string; app_id: string; day: string; calls: number }[],
): Promise<void> {
  if (entries.length === 0) return;
  // Apps deleted since the calls were counted lose their counts (one failed insert would abort the tx).
  const ids = [...new Set(entries.map((e) => e.app_id))];
  const live = new Set(
    (await tx.select({ id: oauthApps.id }).from(oauthApps).where(inArray(oauthApps.id, ids))).map(
      (r) => r.id,
    ),
  );
  const keep = entries.filter((e) => live.has(e.app_id));
  if (keep.length === 0) return;
  await tx
    .insert(oauthAppUsage)
    .values(keep)
    .onConflictDoUpdate({
      target: [oauthAppUsage.app_id, oauthAppUsage.day],
      set: { calls: sql`${oauthAppUsage.calls} + excluded.calls` },
    });
}

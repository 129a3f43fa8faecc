import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { ProblemError } from '../../platform/http/problem.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { countCall, flushUsage, oauthRuntime } from './oauth.provider.js';
import { API_SCOPES, OIDC_SCOPES, SCOPE_LABELS } from './oauth.scopes.js';
import {
  createApp,
  deleteApp,
  getApp,
  listApps,
  presentApp,
  rotateAppSecret,
  updateApp,
  usageOf,
} from './oauth.service.js';

const tags = ['OAuth apps'];
const permission = 'apps:manage' as const;

const scopes = z
  .array(z.enum(API_SCOPES as [string, ...string[]]))
  .max(API_SCOPES.length)
  .describe('Permissions the app may ask for (the same names API keys use); never more than you hold');
const redirectUris = z
  .array(z.string().min(1).max(2000))
  .max(20)
  .describe('Where the authorization code is sent');

const appOut = z.object({
  id: z.string(),
  client_id: z.string(),
  name: z.string(),
  type: z.enum(['public', 'confidential']),
  redirect_uris: z.array(z.string()),
  scopes: z.array(z.string()),
  secret_prefix: z.string().nullable().describe('First characters of the secret, to tell secrets apart'),
  secret_rotated_at: z.string().nullable(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  usage: z.object({ today: z.number(), last_7_days: z.number() }).describe('API calls (UTC days)'),
});
const appWithSecret = appOut.extend({
  client_secret: z.string().nullable().describe('Shown once (confidential apps); store it now'),
});

/** Who a request counts against: the API key, the OAuth app, the signed-in user, else the IP. */
function limitKey(req: FastifyRequest): { key: string; kind: 'client' | 'session' | 'anonymous' } {
  const a = req.actor;
  if (a?.appId) return { key: `app:${a.appId}`, kind: 'client' };
  if (a?.actorType === 'api_key') return { key: `key:${a.actorId}`, kind: 'client' };
  if (a?.actorType === 'user') return { key: `user:${a.actorId}`, kind: 'session' };
  return { key: `ip:${req.ip}`, kind: 'anonymous' };
}

/** Per-minute limits on every /api/v1 route (429 with RateLimit-* and Retry-After), and per-app usage. */
async function registerRateLimits(app: TypedApp): Promise<void> {
  const platform = app.platform;
  const rt = oauthRuntime(platform);
  await app.register(rateLimit, { global: false, enableDraftSpec: true });
  app.addHook('onRequest', async (req) => {
    if (req.actor) countCall(platform, req.actor);
  });
  app.addHook(
    'onRequest',
    app.rateLimit({
      timeWindow: 60_000,
      keyGenerator: (req) => limitKey(req).key,
      max: (req) => {
        const { kind } = limitKey(req);
        return kind === 'client'
          ? rt.limits.perClient
          : kind === 'session'
            ? rt.limits.perSession
            : rt.limits.perAnonymous;
      },
      errorResponseBuilder: (_req, ctx) =>
        new ProblemError(429, 'Too Many Requests', `Rate limit reached: ${ctx.max} requests per minute`, [
          { field: 'rate_limit', reason: `retry in ${Math.ceil(ctx.ttl / 1000)} s` },
        ]),
    }),
  );
}

/** The oauth module's routes under /api/v1: the apps admins register (apps:manage), and the rate limits. */
export async function oauthRoutes(app: TypedApp): Promise<void> {
  await registerRateLimits(app);

  const withUsage = async (req: FastifyRequest, rows: Parameters<typeof presentApp>[0][]) => {
    await flushUsage(app.platform);
    return app.withTenant(req, async (tx, ctx) => {
      const usage = await usageOf(
        tx,
        ctx,
        rows.map((r) => r.id),
      );
      return rows.map((r) => ({ ...presentApp(r), usage: usage.get(r.id) ?? { today: 0, last_7_days: 0 } }));
    });
  };
  const zero = { today: 0, last_7_days: 0 };

  app.get(
    '/oauth/scopes',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Scopes an app can ask for, with their business labels',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                scope: z.string(),
                kind: z.enum(['oidc', 'api']),
                en: z.string(),
                zh_cn: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      items: [...OIDC_SCOPES, ...API_SCOPES].map((s) => ({
        scope: s,
        kind: (OIDC_SCOPES as readonly string[]).includes(s) ? ('oidc' as const) : ('api' as const),
        en: SCOPE_LABELS[s].en,
        zh_cn: SCOPE_LABELS[s]['zh-CN'],
      })),
    }),
  );

  app.get(
    '/oauth/apps',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'List OAuth apps with their usage',
        response: { 200: z.object({ items: z.array(appOut) }), ...errorResponses },
      },
    },
    async (req) => {
      const rows = await app.withTenant(req, (tx, ctx) => listApps(tx, ctx));
      return { items: await withUsage(req, rows) };
    },
  );

  app.post(
    '/oauth/apps',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Register an app (confidential: the secret is in this answer only)',
        body: z.object({
          name: z.string().trim().min(1).max(200),
          type: z
            .enum(['public', 'confidential'])
            .describe('public: SPA/mobile with PKCE; confidential: server with a secret'),
          redirect_uris: redirectUris.default([]),
          scopes: scopes.min(1),
        }),
        response: { 201: appWithSecret, ...errorResponses },
      },
    },
    async (req, reply) => {
      const out = await app.withTenant(req, (tx, ctx) => createApp(tx, ctx, req.body));
      return reply.status(201).send({ ...out, usage: zero });
    },
  );

  app.get(
    '/oauth/apps/:id',
    {
      config: { permission },
      schema: { tags, summary: 'One app', params: idParams, response: { 200: appOut, ...errorResponses } },
    },
    async (req) => {
      const row = await app.withTenant(req, (tx, ctx) => getApp(tx, ctx, req.params.id));
      return (await withUsage(req, [row]))[0];
    },
  );

  app.patch(
    '/oauth/apps/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Change an app (name, redirect URIs, scopes)',
        params: idParams,
        body: z.object({
          name: z.string().trim().min(1).max(200).optional(),
          redirect_uris: redirectUris.optional(),
          scopes: scopes.min(1).optional(),
        }),
        response: { 200: appOut, ...errorResponses },
      },
    },
    async (req) => {
      const row = await app.withTenant(req, (tx, ctx) => updateApp(tx, ctx, req.params.id, req.body));
      return (await withUsage(req, [row]))[0];
    },
  );

  app.post(
    '/oauth/apps/:id/rotate-secret',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'New secret for a confidential app (the old one stops working now; shown once)',
        params: idParams,
        response: { 200: appWithSecret, ...errorResponses },
      },
    },
    async (req) => {
      const out = await app.withTenant(req, (tx, ctx) => rotateAppSecret(tx, ctx, req.params.id));
      return { ...out, usage: zero };
    },
  );

  app.delete(
    '/oauth/apps/:id',
    {
      config: { permission },
      schema: {
        tags,
        summary: 'Delete an app (its tokens stop working)',
        params: idParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await app.withTenant(req, (tx, ctx) => deleteApp(tx, ctx, req.params.id));
      app.platform.auth.evictAll();
      return reply.status(204).send();
    },
  );
}

import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppModule } from '../http/app.js';
import { unauthorized, unprocessable } from '../http/problem.js';
import { ResourceService } from '../records/resource.js';
import { errorResponses, registerResourceRoutes } from '../records/resource-routes.js';
import { apiKeys, users } from './auth.schema.js';
import { hashPassword, SESSION_COOKIE } from './auth.service.js';
import { PERMISSIONS, ROLES } from './permissions.js';

const roleSchema = z.enum(ROLES);

export const userService = new ResourceService({
  entity: 'users',
  label: 'User',
  table: users as any,
  fields: ['email', 'name', 'role', 'locale', 'team_id', 'region_id', 'manager_id', 'active'],
  sortable: {
    name: users.name,
    email: users.email,
    created_at: users.created_at,
    updated_at: users.updated_at,
  },
  defaultSort: 'name',
  filters: {
    role: { column: users.role, op: 'eq', schema: roleSchema },
    team_id: { column: users.team_id, op: 'eq', schema: z.uuid() },
    active: {
      column: users.active,
      op: 'eq',
      schema: z.enum(['true', 'false']).transform((v) => v === 'true'),
    },
  },
  search: (q) => sql`(${users.name} ilike ${`%${q}%`} or ${users.email} ilike ${`%${q}%`})`,
  present: ({ password_hash: _secret, ...rest }) => rest,
  async prepare(_tx, _ctx, values) {
    if (typeof values.email === 'string') values.email = values.email.trim().toLowerCase();
    if (typeof values.password === 'string') {
      values.password_hash = await hashPassword(values.password);
    }
    delete values.password;
    return values;
  },
});

const userOut = z.object({
  id: z.string(),
  tenant_id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  locale: z.string().nullable(),
  team_id: z.string().nullable(),
  region_id: z.string().nullable(),
  manager_id: z.string().nullable(),
  active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
const userCreate = z.object({
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  role: roleSchema,
  password: z.string().min(8, 'at least 8 characters').max(200),
  locale: z.enum(['zh-CN', 'en']).nullable().optional(),
  team_id: z.uuid().nullable().optional(),
  region_id: z.uuid().nullable().optional(),
  manager_id: z.uuid().nullable().optional(),
  active: z.boolean().optional(),
});

const meSchema = z.object({
  id: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  role: roleSchema,
  tenant_id: z.string(),
  tenant_name: z.string().nullable(),
  locale: z.string().nullable(),
  actor_type: z.string(),
  permissions: z.array(z.string()),
});

export const authModule: AppModule = {
  name: 'auth',
  routes(app: FastifyInstance) {
    const tags = ['Auth'];
    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'Log in with email and password; sets the session cookie and returns a bearer token',
          security: [],
          body: z.object({
            email: z.string().min(1),
            password: z.string().min(1),
            tenant: z.string().optional(),
          }),
          response: {
            200: z.object({ token: z.string(), expires_at: z.string(), user: meSchema.partial() }),
            ...errorResponses,
          },
        },
      },
      async (req, reply) => {
        const { email, password, tenant } = req.body as { email: string; password: string; tenant?: string };
        const result = await app.platform.auth.login(email, password, tenant);
        if (result === 'ambiguous') {
          throw unprocessable('This email belongs to several organisations; say which one', [
            { field: 'tenant', reason: 'required for this email' },
          ]);
        }
        if (!result) throw unauthorized('Wrong email or password');
        reply.setCookie(SESSION_COOKIE, result.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure: app.platform.config.cookieSecure,
          expires: result.expires,
        });
        return { token: result.token, expires_at: result.expires.toISOString(), user: result.user };
      },
    );

    app.post(
      '/auth/logout',
      { config: { public: true }, schema: { tags, summary: 'End the session', response: { 204: z.null() } } },
      async (req, reply) => {
        const header = req.headers.authorization;
        const token = header?.toLowerCase().startsWith('bearer ')
          ? header.slice(7).trim()
          : req.cookies?.[SESSION_COOKIE];
        if (token && !token.startsWith('zs_key_')) await app.platform.auth.logout(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send();
      },
    );

    app.get(
      '/me',
      { schema: { tags, summary: 'Who am I', response: { 200: meSchema, ...errorResponses } } },
      async (req) => {
        const a = req.actor!;
        const u = req.sessionUser;
        return {
          id: a.actorId,
          name: a.actorName,
          email: u?.email ?? null,
          role: a.role,
          tenant_id: a.tenantId,
          tenant_name: u?.tenant_name ?? null,
          locale: u?.locale ?? null,
          actor_type: a.actorType,
          permissions: [...a.permissions].sort(),
        };
      },
    );

    const keyOut = z.object({
      id: z.string(),
      name: z.string(),
      prefix: z.string(),
      role: roleSchema,
      scopes: z.array(z.string()),
      created_at: z.string(),
      last_used_at: z.string().nullable(),
      revoked_at: z.string().nullable(),
    });
    app.post(
      '/api-keys',
      {
        config: { permission: 'api_keys:manage' },
        schema: {
          tags: ['API keys'],
          summary: 'Create an API key; the key is shown once',
          body: z.object({
            name: z.string().trim().min(1).max(100),
            role: roleSchema.default('rep'),
            scopes: z
              .array(z.enum(PERMISSIONS))
              .default([])
              .describe('Limit the key to these permissions (empty = all of the role)'),
          }),
          response: { 201: keyOut.extend({ key: z.string() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const body = req.body as { name: string; role: (typeof ROLES)[number]; scopes: string[] };
        const created = await app.withTenant(req, (tx, ctx) => app.platform.auth.createApiKey(tx, ctx, body));
        return reply.status(201).send(created);
      },
    );
    app.get(
      '/api-keys',
      {
        config: { permission: 'api_keys:manage' },
        schema: {
          tags: ['API keys'],
          summary: 'List API keys',
          response: { 200: z.object({ data: z.array(keyOut) }), ...errorResponses },
        },
      },
      async (req) =>
        app.withTenant(req, async (tx, ctx) => ({
          data: (
            await tx
              .select()
              .from(apiKeys)
              .where(eq(apiKeys.tenant_id, ctx.tenantId))
              .orderBy(desc(apiKeys.created_at))
          ).map(({ key_hash: _k, ...rest }) => rest),
        })),
    );
    app.delete(
      '/api-keys/:id',
      {
        config: { permission: 'api_keys:manage' },
        schema: {
          tags: ['API keys'],
          summary: 'Revoke an API key',
          params: z.object({ id: z.uuid() }),
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        const updated = await app.withTenant(req, (tx, ctx) =>
          tx
            .update(apiKeys)
            .set({ revoked_at: new Date() })
            .where(
              and(
                eq(apiKeys.tenant_id, ctx.tenantId),
                eq(apiKeys.id, (req.params as any).id),
                isNull(apiKeys.revoked_at),
              ),
            )
            .returning(),
        );
        if (updated.length === 0)
          return reply
            .status(404)
            .type('application/problem+json')
            .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'API key not found' });
        app.platform.auth.evictAll();
        return reply.status(204).send();
      },
    );

    registerResourceRoutes(app, userService, {
      tag: 'Users',
      createSchema: userCreate,
      updateSchema: userCreate.partial().extend({ change_reason: z.string().max(500).optional() }),
      outputSchema: userOut,
      filterSchema: z.object({
        role: roleSchema.optional(),
        team_id: z.string().optional(),
        active: z.string().optional(),
      }),
      permissions: { read: 'users:read', write: 'users:manage', delete: 'users:manage' },
    });
  },
};

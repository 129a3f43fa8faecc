import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordChange } from '../audit/change-log.js';
import type { Tx } from '../db/database.js';
import type { TypedApp } from '../http/app.js';
import { conflict, forbidden, ProblemError, unauthorized, unprocessable } from '../http/problem.js';
import { defineModule, resourceEvents } from '../modules/module-definition.js';
import { ResourceService } from '../records/resource.js';
import { errorResponses, problemSchema, registerResourceRoutes } from '../records/resource-routes.js';
import { apiKeys, users } from './auth.schema.js';
import { endSessions, hashPassword, SESSION_COOKIE } from './auth.service.js';
import type { ActorContext } from './auth-context.js';
import { assertCanGrant, assertCanManage } from './grants.js';
import { PERMISSIONS, permissionsOf, ROLES, type Role } from './permissions.js';

const roleSchema = z.enum(ROLES);

export const userService = new ResourceService({
  entity: 'users',
  label: 'User',
  table: users,
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
  async prepare(tx, ctx, values, existing) {
    // On update only a password sets the hash (written below, ending sessions).
    if (existing) delete values.password_hash;
    if (typeof values.email === 'string') values.email = values.email.trim().toLowerCase();
    if (existing) {
      // Changing a stronger account (its email, password, role or active flag) is taking it over.
      assertCanManage(ctx, permissionsOf(existing.role as Role), 'id');
      await keepAnActiveAdmin(tx, ctx, existing, values);
    }
    if (typeof values.manager_id === 'string')
      await noReportingCycle(tx, ctx, existing?.id, values.manager_id);
    if (values.role !== undefined && values.role !== existing?.role)
      assertCanGrant(ctx, permissionsOf(values.role as Role), 'role');
    if (typeof values.password === 'string') {
      const passwordHash = await hashPassword(values.password);
      if (!existing) values.password_hash = passwordHash;
      else {
        // Written here, not through the generic update, so the hash reaches neither the change log
        // nor the event payload; the change itself is audited without a value.
        await tx
          .update(users)
          .set({ password_hash: passwordHash, updated_at: new Date() })
          .where(and(eq(users.tenant_id, ctx.tenantId), eq(users.id, String(existing.id))));
        await recordChange(tx, ctx, 'users', String(existing.id), 'update', {
          password: { old: null, new: '(changed)' },
        });
        // Users changing their own password stay signed in where they are; everywhere else
        // (and every session after an admin's reset) ends.
        const own = ctx.actorType === 'user' && ctx.actorId === existing.id ? ctx.sessionId : undefined;
        await endSessions(tx, String(existing.id), own);
      }
    }
    delete values.password;
    if (existing && values.active === false && existing.active === true)
      await endSessions(tx, String(existing.id));
    return values;
  },
});

/**
 * 422 when the manager is unknown in this organisation, or when the user would end up reporting to
 * themselves (directly or up the chain): the team brief and record sharing follow this chain.
 */
async function noReportingCycle(tx: Tx, ctx: ActorContext, userId: unknown, managerId: string) {
  const rows = await tx
    .select({ id: users.id, manager_id: users.manager_id })
    .from(users)
    .where(eq(users.tenant_id, ctx.tenantId));
  const managerOf = new Map(rows.map((r) => [r.id, r.manager_id]));
  if (!managerOf.has(managerId))
    throw unprocessable('No such manager in this organisation', [
      { field: 'manager_id', reason: 'choose a user of this organisation' },
    ]);
  const seen = new Set<string>();
  for (let id: string | null | undefined = managerId; id && !seen.has(id); id = managerOf.get(id)) {
    if (id === userId)
      throw unprocessable('Nobody can report to themselves, also not through others', [
        { field: 'manager_id', reason: 'choose someone who is not below this user' },
      ]);
    seen.add(id);
  }
}

/**
 * 409 when a change would leave the organisation without an active administrator. A per-tenant
 * advisory lock serialises concurrent demotions, so two admins cannot demote each other at once.
 */
async function keepAnActiveAdmin(
  tx: Tx,
  ctx: ActorContext,
  existing: Record<string, unknown>,
  values: Record<string, unknown>,
): Promise<void> {
  if (existing.role !== 'admin' || existing.active !== true) return;
  const demoted = values.role !== undefined && values.role !== 'admin';
  const deactivated = values.active === false;
  if (!demoted && !deactivated) return;
  await lastAdminGuard(tx, ctx, String(existing.id), demoted ? 'role' : 'active');
}

async function lastAdminGuard(tx: Tx, ctx: ActorContext, userId: string, field: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`zhongshu.admins:${ctx.tenantId}`}))`);
  const others = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.tenant_id, ctx.tenantId),
        eq(users.role, 'admin'),
        eq(users.active, true),
        ne(users.id, userId),
      ),
    )
    .limit(1);
  if (others.length === 0)
    throw conflict('An organisation needs at least one active administrator', [
      { field, reason: 'this is the last active administrator' },
    ]);
}

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

/** The :id path parameter of the request, in hooks (which run for routes with and without one). */
function paramId(req: FastifyRequest): string | undefined {
  const params = req.params;
  if (params && typeof params === 'object' && 'id' in params && typeof params.id === 'string')
    return params.id;
  return undefined;
}

/** 429 with Retry-After (seconds). */
function tooManyFailures(reply: FastifyReply, retryAfterSeconds: number): ProblemError {
  reply.header('retry-after', String(retryAfterSeconds));
  return new ProblemError(
    429,
    'Too Many Requests',
    `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds`,
  );
}

/** Sign-in, sessions, users and API keys, the audit log (platform: no business in here). */
export const authModule = defineModule({
  name: 'auth',
  summary: 'Sign-in and sessions, users and roles, API keys, the audit log.',
  permissions: ['users:read', 'users:manage', 'api_keys:manage', 'audit:read'],
  publishes: resourceEvents(userService),
  async routes(app: TypedApp) {
    app.platform.auth.configureLogin(app.platform.config.login);
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
            429: problemSchema.describe('Too many failed attempts from this address or for this account'),
          },
        },
      },
      async (req, reply) => {
        const { email, password, tenant } = req.body;
        const result = await app.platform.auth.login(email, password, { tenant, ip: req.ip });
        if (result.kind === 'throttled') throw tooManyFailures(reply, result.retryAfterSeconds);
        if (result.kind === 'ambiguous') {
          throw unprocessable('This email belongs to several organisations; say which one', [
            { field: 'tenant', reason: 'required for this email' },
          ]);
        }
        if (result.kind === 'wrong') throw unauthorized('Wrong email or password');
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
      '/auth/password',
      {
        schema: {
          tags,
          summary:
            'Change your own password; your other sessions end, this one stays signed in (failed attempts count towards the login limits)',
          body: z.object({
            current_password: z.string().min(1),
            new_password: z.string().min(8, 'at least 8 characters').max(200),
          }),
          response: { 204: z.null(), ...errorResponses, 429: problemSchema },
        },
      },
      async (req, reply) => {
        const actor = req.actor!;
        if (actor.actorType !== 'user' || !actor.actorId)
          throw forbidden('Only a signed-in user can change their own password');
        const body = req.body;
        await app.withTenant(req, async (tx, ctx) => {
          const check = await app.platform.auth.checkOwnPassword(tx, ctx, body.current_password, req.ip);
          if (check === 'wrong')
            throw unprocessable('The current password is wrong', [
              { field: 'current_password', reason: 'does not match' },
            ]);
          if (check !== 'ok') throw tooManyFailures(reply, check.retryAfterSeconds);
          await userService.update(tx, ctx, actor.actorId!, { password: body.new_password });
        });
        app.platform.auth.evictUser(actor.actorId);
        return reply.status(204).send();
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
        const body = req.body;
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
                eq(apiKeys.id, req.params.id),
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

    // Users in their own scope, so its hooks see only the user routes.
    await app.register(async (scope: TypedApp) => {
      // Deleting a user: the same rules as changing one (no generic hook runs on delete).
      scope.addHook('preHandler', async (req) => {
        if (req.method !== 'DELETE' || !req.actor) return;
        const id = paramId(req);
        if (!id) return;
        await scope.withTenant(req, async (tx, ctx) => {
          const target = await userService.find(tx, ctx, id);
          if (!target) return;
          assertCanManage(ctx, permissionsOf(target.role as Role), 'id');
          if (target.role === 'admin' && target.active === true) await lastAdminGuard(tx, ctx, id, 'id');
        });
      });
      // After the change is committed (onSend runs once the handler's transaction is done): the
      // user's cached sessions go, so a role change or deactivation applies on the very next request.
      scope.addHook('onSend', async (req, _reply, payload) => {
        const id = paramId(req);
        if (id && (req.method === 'PATCH' || req.method === 'DELETE')) scope.platform.auth.evictUser(id);
        return payload;
      });
      registerUserRoutes(scope);
    });
  },
});

function registerUserRoutes(app: TypedApp) {
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
}

import { z } from 'zod';
import type { Permission } from '../auth/permissions.js';
import type { TypedApp } from '../http/app.js';
import { forbidden, ProblemError, unprocessable } from '../http/problem.js';
import { defineModule } from '../modules/module-definition.js';
import type { ResourceService } from '../records/resource.js';
import { errorResponses, idParams } from '../records/resource-routes.js';
import {
  bindSharing,
  canManageShares,
  deleteShare,
  listDefaults,
  listShares,
  SHARE_SUBJECT_TYPES,
  SHARING_ACCESS,
  setDefaults,
  sharedEntityNames,
  subjectName,
  upsertShare,
} from './sharing.service.js';

const shareItem = z.object({
  id: z.string(),
  subject_type: z.enum(SHARE_SUBJECT_TYPES),
  subject_id: z.string(),
  subject_name: z.string().nullable(),
  access: z.enum(['read', 'edit']),
  created_at: z.string(),
  created_by_name: z.string().nullable(),
});

const shareInput = z.object({
  subject_type: z.enum(SHARE_SUBJECT_TYPES).describe('Share with one user or with everyone of a team'),
  subject_id: z.uuid().describe('users.id or teams.id in this organisation'),
  access: z.enum(['read', 'edit']),
});

/**
 * GET/POST/DELETE /{entity}/:id/shares for a resource with sharing (registered by
 * registerResourceRoutes). Reading the list needs read access to the record; changing it needs
 * to be the owner, above the owner in the manager chain, or an admin.
 */
export function registerShareRoutes(
  app: TypedApp,
  service: ResourceService,
  o: { base: string; tags: string[]; permissions: { read: Permission; write: Permission } },
): void {
  const { entity, label } = service.def;
  const noun = label.toLowerCase();
  const tags = o.tags;

  app.get(
    `${o.base}/:id/shares`,
    {
      config: { permission: o.permissions.read },
      schema: {
        tags,
        summary: `Who this ${noun} is shared with, and whether the caller may change that`,
        params: idParams,
        response: { 200: z.object({ data: z.array(shareItem), can_manage: z.boolean() }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => {
        const { id } = req.params;
        const row = await service.get(tx, ctx, id);
        return {
          data: await listShares(tx, ctx, app.platform.sharing, entity, id),
          can_manage: await canManageShares(tx, ctx, row, entity),
        };
      }),
  );

  app.post(
    `${o.base}/:id/shares`,
    {
      config: { permission: o.permissions.write },
      schema: {
        tags,
        summary: `Share this ${noun} with a user or a team (the same subject again changes its access)`,
        description:
          'The record owner, anyone above the owner in the manager chain and admins may share. ' +
          'Sharing with a subject that already has a share on the record changes its access and answers 200.',
        params: idParams,
        body: shareInput,
        response: { 200: shareItem, 201: shareItem, ...errorResponses },
      },
    },
    async (req, reply) => {
      const { id: recordId } = req.params;
      const result = await app.withTenant(req, async (tx, ctx) => {
        const row = await service.get(tx, ctx, recordId);
        if (!(await canManageShares(tx, ctx, row, entity)))
          throw forbidden('Only the owner, their managers and admins may share this record');
        const body = req.body;
        if (!(await subjectName(tx, ctx, app.platform.sharing, body))) {
          throw unprocessable('No such user or team', [
            {
              field: 'subject_id',
              reason:
                body.subject_type === 'user'
                  ? 'no such user in this organisation'
                  : 'no such team in this organisation',
            },
          ]);
        }
        const { id, created } = await upsertShare(tx, ctx, entity, recordId, body);
        const item = (await listShares(tx, ctx, app.platform.sharing, entity, recordId)).find(
          (s) => s.id === id,
        );
        return { item, created };
      });
      return reply.status(result.created ? 201 : 200).send(result.item);
    },
  );

  app.delete(
    `${o.base}/:id/shares/:shareId`,
    {
      config: { permission: o.permissions.write },
      schema: {
        tags,
        summary: `Stop sharing this ${noun} with one subject`,
        params: idParams.extend({ shareId: z.string().describe('Share id (uuid)') }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const { id, shareId } = req.params;
      await app.withTenant(req, async (tx, ctx) => {
        const row = await service.get(tx, ctx, id);
        if (!(await canManageShares(tx, ctx, row, entity)))
          throw forbidden('Only the owner, their managers and admins may share this record');
        const ok = z.uuid().safeParse(shareId).success && (await deleteShare(tx, ctx, entity, id, shareId));
        if (!ok) throw new ProblemError(404, 'Not Found', 'No such share on this record');
      });
      return reply.status(204).send();
    },
  );
}

const defaultsOut = z.object({
  data: z.array(
    z.object({
      entity: z.string(),
      access: z.enum(SHARING_ACCESS),
      updated_at: z.string().nullable(),
    }),
  ),
});

/**
 * Organisation-wide defaults (GET/PUT /sharing/defaults), and the binding of every request's actor
 * to the platform's sharing caches. Listed before the modules whose routes it must see.
 */
export const sharingModule = defineModule({
  name: 'sharing',
  summary: 'Record-level sharing: organisation-wide defaults and per-record shares with users and teams.',
  publishes: [
    {
      name: 'sharing_defaults.updated',
      when: 'an organisation-wide default changed',
      when_zh: '全员默认共享规则有变化',
    },
    {
      name: 'record_shares.created',
      when: 'a record was shared with a user or team',
      when_zh: '记录共享给了同事或团队',
    },
    { name: 'record_shares.updated', when: "a share's access level changed", when_zh: '共享权限有变化' },
    { name: 'record_shares.deleted', when: 'a share was removed', when_zh: '取消了共享' },
  ],
  subscriptions: [
    {
      on: ['users.created', 'users.updated', 'users.deleted', 'users.imported'],
      handler: 'sharing.evict-directory',
      run: async (platform, ev) => platform.sharing.evictUsers(ev.tenant_id),
    },
    {
      on: 'sharing_defaults.updated',
      handler: 'sharing.evict-defaults',
      run: async (platform, ev) => platform.sharing.evictDefaults(ev.tenant_id),
    },
  ],
  routes(app: TypedApp) {
    const sharing = app.platform.sharing;
    app.addHook('preHandler', async (req) => {
      if (req.actor) bindSharing(req.actor, sharing);
    });

    const tags = ['Sharing'];
    const entities = sharedEntityNames();
    app.get(
      '/sharing/defaults',
      {
        config: { permission: 'crm:read' },
        schema: {
          tags,
          summary: 'Organisation-wide default access of each shareable record type',
          description:
            'public_read_write: everyone with the role permission reads and edits every record (the default); ' +
            'public_read: everyone reads, only the owner, their manager chain, edit shares and admins edit; ' +
            'private: only the owner, their manager chain, their team, managers of their region, shares and admins see it.',
          response: { 200: defaultsOut, ...errorResponses },
        },
      },
      async (req) => app.withTenant(req, async (tx, ctx) => ({ data: await listDefaults(tx, ctx) })),
    );

    app.put(
      '/sharing/defaults',
      {
        config: { permission: 'settings:manage' },
        schema: {
          tags,
          summary: 'Change organisation-wide defaults (only the entities listed change)',
          body: z.object({
            defaults: z
              .array(
                z.object({
                  entity: z.enum(entities as [string, ...string[]]),
                  access: z.enum(SHARING_ACCESS),
                }),
              )
              .max(entities.length * 2),
          }),
          response: { 200: defaultsOut, ...errorResponses },
        },
      },
      async (req) =>
        app.withTenant(req, async (tx, ctx) => ({
          data: await setDefaults(tx, ctx, sharing, req.body.defaults),
        })),
    );
  },
});

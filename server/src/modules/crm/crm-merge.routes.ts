import { z } from 'zod';
import type { TypedApp } from '../../platform/http/app.js';
import { errorResponses, idParams } from '../../platform/records/resource-routes.js';
import { findAccountDuplicates, findContactDuplicates } from './crm-duplicates.service.js';
import {
  concurrentMergeConflict,
  getMerge,
  listMerges,
  mergeRecords,
  undoMerge,
} from './crm-merge.service.js';

const optionalText = (what: string) => z.string().max(500).optional().describe(what);
const confidence = z.number().min(0).max(1).describe('How sure the match is, 0..1 (best first)');

export const accountDuplicateSchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable().describe('The first of its domains'),
  credit_code: z.string().nullable(),
  owner_id: z.string().nullable(),
  reasons: z.array(z.enum(['credit_code', 'domain', 'name'])),
  confidence,
});

export const contactDuplicateSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable().describe('The matching (else the first) e-mail address'),
  phone: z.string().nullable().describe('The matching (else the first) phone number'),
  account_id: z.string().nullable(),
  reasons: z.array(z.enum(['email', 'phone', 'name'])),
  confidence,
});

export const mergeSchema = z.object({
  id: z.string(),
  entity: z.enum(['account', 'contact']),
  survivor_id: z.string(),
  merged_id: z.string(),
  merged_name: z.string(),
  status: z.enum(['merged', 'undone']),
  created_at: z.string(),
  created_by: z.string().nullable(),
  created_by_name: z.string().nullable(),
  undo_until: z.string().describe('Undo is possible until then (30 days after the merge)'),
  undone_at: z.string().nullable(),
  moved: z
    .record(z.string(), z.number())
    .describe(
      'Rows moved to the survivor, by kind (contacts, opportunities, activities, signals, interventions, predictions); other modules add theirs shortly after the merge',
    ),
});

const mergeBody = z.object({
  survivor_id: z.uuid().describe('The record that stays'),
  merged_id: z.uuid().describe('The record merged into the survivor (it leaves lists; undo brings it back)'),
  fields: z
    .record(z.string(), z.enum(['survivor', 'merged']))
    .optional()
    .describe(
      "Whose value the survivor keeps, per field; default the survivor's, and the survivor's empty fields are filled from the merged record",
    ),
});

/** Duplicate checks, merges and their undo (issue 16). */
export function crmMergeRoutes(app: TypedApp): void {
  app.get(
    '/accounts/duplicates',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Accounts'],
        summary: 'Likely duplicates of an account (same credit code, domain or normalised name)',
        description:
          'Best first, at most 10, only accounts the caller may see. Names are compared after normalisation (full-width, case, brackets, legal form, region prefix).',
        querystring: z.object({
          name: optionalText('Account name'),
          domain: optionalText('A domain or website (https://www.x.com → x.com)'),
          credit_code: optionalText('Unified social credit code'),
          exclude_id: z.uuid().optional().describe('Leave this account out (the one being edited)'),
        }),
        response: { 200: z.object({ data: z.array(accountDuplicateSchema) }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => ({ data: await findAccountDuplicates(tx, ctx, req.query) })),
  );

  app.get(
    '/contacts/duplicates',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Contacts'],
        summary: 'Likely duplicates of a contact (same e-mail, phone, or name at the same account)',
        description:
          'Best first, at most 10, only contacts the caller may see. Phones compare by digits (+86 dropped); a name only counts together with the same account_id.',
        querystring: z.object({
          email: optionalText('E-mail address'),
          phone: optionalText('Phone number'),
          name: optionalText('Contact name (needs account_id)'),
          account_id: z.uuid().optional().describe('The account the contact is at'),
          exclude_id: z.uuid().optional().describe('Leave this contact out (the one being edited)'),
        }),
        response: { 200: z.object({ data: z.array(contactDuplicateSchema) }), ...errorResponses },
      },
    },
    async (req) =>
      app.withTenant(req, async (tx, ctx) => ({ data: await findContactDuplicates(tx, ctx, req.query) })),
  );

  for (const [path, entity, tag] of [
    ['/accounts/merge', 'account', 'Accounts'],
    ['/contacts/merge', 'contact', 'Contacts'],
  ] as const) {
    app.post(
      path,
      {
        config: { permission: 'crm:merge' },
        schema: {
          tags: [tag],
          summary: `Merge two ${entity}s: every related record moves to the survivor (undo within 30 days)`,
          description:
            'Needs crm:merge and crm:write. Both records must be ones the caller may edit, and the merged record one they may delete (crm:delete) or own (its owner, their managers, admins). ' +
            'The merged record then answers 404 with `merged_into` (the survivor id) and leaves lists and search. ' +
            '409 when one of the records was just merged by someone else (e.g. A→B and B→A at the same time).',
          body: mergeBody,
          response: { 200: mergeSchema, ...errorResponses },
        },
      },
      async (req) =>
        app
          .withTenant(req, (tx, ctx) => mergeRecords(tx, ctx, entity, req.body))
          .catch((err) => {
            throw concurrentMergeConflict(err);
          }),
    );
  }

  app.get(
    '/merges',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Merges'],
        summary: 'Merges of accounts and contacts, newest first',
        querystring: z.object({
          entity: z.enum(['account', 'contact']).optional(),
          record_id: z.uuid().optional().describe('Merges this record survived or was merged in'),
          limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size (default 50)'),
          cursor: z.string().optional().describe('next_cursor from the previous page'),
        }),
        response: {
          200: z.object({ data: z.array(mergeSchema), next_cursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => listMerges(tx, ctx, req.query)),
  );

  app.get(
    '/merges/:id',
    {
      config: { permission: 'crm:read' },
      schema: {
        tags: ['Merges'],
        summary: 'One merge',
        params: idParams,
        response: { 200: mergeSchema, ...errorResponses },
      },
    },
    async (req) => app.withTenant(req, (tx, ctx) => getMerge(tx, ctx, req.params.id)),
  );

  app.post(
    '/merges/:id/undo',
    {
      config: { permission: 'crm:merge' },
      schema: {
        tags: ['Merges'],
        summary: 'Undo a merge: the merged record comes back with its own values, the moved rows go back',
        description: '409 when the merge is already undone or older than 30 days.',
        params: idParams,
        response: { 200: mergeSchema, ...errorResponses },
      },
    },
    async (req) =>
      app
        .withTenant(req, (tx, ctx) => undoMerge(tx, ctx, req.params.id))
        .catch((err) => {
          throw concurrentMergeConflict(err);
        }),
  );
}

import { and, eq, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import type {
  DataSubject,
  ErasureOutcome,
  PersonalDataProvider,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { redactColumns, subjectNeedles, textMentions } from '../../platform/privacy/personal-data-scrub.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookMessages } from './webhooks.schema.js';
import { typeMatches } from './webhooks.service.js';

/**
 * Copies of a person in the webhook log (issue 13 items 2 and 5): messages kept 90 days for replay
 * carry event payloads (a contact's record), attempts keep the receiver's answer. Erasure drops the
 * content of messages about their record and redacts them out of the others; what was sent to the
 * receivers is theirs to erase (the privacy.erasure_requested event asks them to).
 */

const aboutContact = (s: DataSubject) =>
  sql`(${webhookMessages.payload} -> 'data' -> 'record' ->> 'id') = ${s.contactId}`;

async function collect(tx: Tx, s: DataSubject, { limit }: { limit: number }): Promise<PersonalDataSection[]> {
  const needles = subjectNeedles(s);
  const where = and(
    eq(webhookMessages.tenant_id, s.tenantId),
    or(aboutContact(s), textMentions(webhookMessages.payload, needles)),
  );
  const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(webhookMessages).where(where);
  const rows = await tx
    .select()
    .from(webhookMessages)
    .where(where)
    .orderBy(sql`${webhookMessages.created_at} desc`)
    .limit(limit);
  return [
    {
      kind: 'webhook_messages',
      label: { en: 'Sent to connected systems', zh: '已推送给对接系统' },
      total: Number(n),
      records: rows.map((r) => {
        const lineage = [{ method: 'computed', source: 'webhooks', at: r.created_at.toISOString() }];
        return {
          id: r.id,
          title: r.event_type,
          at: r.created_at.toISOString(),
          fields: [
            { key: 'event_type', label: { en: 'Event', zh: '事件' }, value: r.event_type, lineage },
            { key: 'payload', label: { en: 'Content', zh: '内容' }, value: r.payload, lineage },
          ],
        };
      }),
    },
  ];
}

async function erase(tx: Tx, s: DataSubject): Promise<ErasureOutcome[]> {
  const needles = subjectNeedles(s);
  const own = await tx
    .update(webhookMessages)
    .set({ payload: sql`jsonb_set(${webhookMessages.payload}, '{data}', '{"erased": true}'::jsonb)` })
    .where(and(eq(webhookMessages.tenant_id, s.tenantId), aboutContact(s)))
    .returning({ id: webhookMessages.id });
  const messages = await redactColumns(tx, {
    table: webhookMessages,
    id: webhookMessages.id,
    columns: { payload: webhookMessages.payload },
    needles,
    where: eq(webhookMessages.tenant_id, s.tenantId),
  });
  const attempts = await redactColumns(tx, {
    table: webhookAttempts,
    id: webhookAttempts.id,
    columns: {
      request_headers: webhookAttempts.request_headers,
      response_excerpt: webhookAttempts.response_excerpt,
      error: webhookAttempts.error,
    },
    needles,
    where: eq(webhookAttempts.tenant_id, s.tenantId),
  });
  const deliveries = await redactColumns(tx, {
    table: webhookDeliveries,
    id: webhookDeliveries.id,
    columns: { last_error: webhookDeliveries.last_error },
    needles,
    where: eq(webhookDeliveries.tenant_id, s.tenantId),
  });
  const reason =
    'the delivery log keeps that a message was sent (replay, receipts); its content about the person is removed';
  const n = new Set([...own.map((r) => r.id), ...messages]).size;
  return [
    { table: 'webhook_messages', action: 'anonymised', rows: n, reason: n ? reason : undefined },
    {
      table: 'webhook_attempts',
      action: 'anonymised',
      rows: attempts.length + deliveries.length,
      reason: attempts.length + deliveries.length ? reason : undefined,
    },
  ];
}

export const webhooksPersonalData: PersonalDataProvider = { collect, erase: (tx, s) => erase(tx, s) };

/** Enabled endpoints subscribed to `eventName` (the systems an erasure notice goes to). */
export async function endpointsSubscribedTo(
  tx: Tx,
  tenantId: string,
  eventName: string,
): Promise<{ id: string; url: string }[]> {
  const rows = await tx
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, event_types: webhookEndpoints.event_types })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.tenant_id, tenantId), eq(webhookEndpoints.status, 'enabled')));
  return rows.filter((r) => typeMatches(r.event_types, eventName)).map(({ id, url }) => ({ id, url }));
}

/** The deliveries of one outbox event, per endpoint: the receipts of an erasure notice. */
export async function deliveriesOfEvent(
  tx: Tx,
  tenantId: string,
  eventId: number,
): Promise<
  {
    endpoint_id: string;
    url: string;
    status: string;
    attempts: number;
    last_error: string | null;
    last_status_code: number | null;
    updated_at: Date;
  }[]
> {
  return tx
    .select({
      endpoint_id: webhookDeliveries.endpoint_id,
      url: webhookEndpoints.url,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      last_error: webhookDeliveries.last_error,
      last_status_code: webhookDeliveries.last_status_code,
      updated_at: webhookDeliveries.updated_at,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookMessages, eq(webhookMessages.id, webhookDeliveries.message_id))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpoint_id))
    .where(and(eq(webhookMessages.tenant_id, tenantId), eq(webhookMessages.event_id, eventId)));
}

import { and, eq, getTableColumns, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import { prop } from '../../platform/narrow.js';
import { identifierNeedles } from '../../platform/privacy/identifier-needles.js';
import type {
  DataSubject,
  ErasureOutcome,
  PersonalDataProvider,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { anyMentions, redactColumns, subjectNeedles } from '../../platform/privacy/personal-data-scrub.js';
import { BUILTIN_TYPES } from './signal-catalogue.js';
import { signals } from './signals.schema.js';

/**
 * Signals about a person (issue 13 items 2 and 5): signals resolved to their contact, and signals
 * whose subject or payload names them (an e-mail in a web-form payload, a name in a tender notice).
 * Erasure deletes the signals about them and redacts them out of the others (which stay for the account).
 */

const about = (s: DataSubject) => and(eq(signals.tenant_id, s.tenantId), eq(signals.contact_id, s.contactId));
const naming = (s: DataSubject, needles: string[]) =>
  and(
    eq(signals.tenant_id, s.tenantId),
    anyMentions([signals.subject, signals.payload, signals.provenance], needles),
  );

async function collect(tx: Tx, s: DataSubject, { limit }: { limit: number }): Promise<PersonalDataSection[]> {
  // Linked to the person, or carrying their e-mail/phone (never a name match: review item 1).
  const where = or(about(s), naming(s, identifierNeedles(s)));
  // One pass: the rows and how many there are (count over the whole match, before the limit).
  const rows = await tx
    .select({ ...getTableColumns(signals), total: sql<number>`(count(*) over ())::int` })
    .from(signals)
    .where(where)
    .orderBy(sql`${signals.occurred_at} desc`)
    .limit(limit);
  return [
    {
      kind: 'signals',
      label: { en: 'Signals about you', zh: '与您相关的信号' },
      total: Number(rows[0]?.total ?? 0),
      records: rows.map((r) => {
        const method = String(prop(r.provenance, 'method') ?? 'sync');
        const actor = prop(r.provenance, 'actor_name') ?? prop(r.provenance, 'actor');
        const lineage = [
          {
            method,
            source: `signal:${r.source}`,
            actorName: typeof actor === 'string' ? actor : null,
            at: r.received_at.toISOString(),
          },
        ];
        const kind = BUILTIN_TYPES.get(r.type);
        const typeWords = kind ? { en: kind.name_en, zh: kind.name } : r.type;
        return {
          id: r.id,
          title: typeWords,
          at: r.occurred_at.toISOString(),
          fields: [
            { key: 'type', label: { en: 'Type', zh: '类型' }, value: typeWords, lineage },
            { key: 'source', label: { en: 'From', zh: '来源' }, value: r.source, lineage },
            { key: 'subject', label: { en: 'About', zh: '对象' }, value: r.subject, lineage },
            { key: 'payload', label: { en: 'Content', zh: '内容' }, value: r.payload, lineage },
            {
              key: 'link',
              label: { en: 'How you appear', zh: '与您的关系' },
              value:
                r.contact_id === s.contactId
                  ? { en: 'About you', zh: '关于您' }
                  : { en: 'Mentions you', zh: '其中提到了您' },
              lineage,
            },
          ],
        };
      }),
    },
  ];
}

async function erase(tx: Tx, s: DataSubject): Promise<ErasureOutcome[]> {
  const needles = subjectNeedles(s);
  const gone = await tx.delete(signals).where(about(s)).returning({ id: signals.id });
  const redacted = await redactColumns(tx, {
    table: signals,
    id: signals.id,
    columns: { subject: signals.subject, payload: signals.payload, provenance: signals.provenance },
    needles,
    where: eq(signals.tenant_id, s.tenantId),
  });
  return [
    { table: 'signals', action: 'deleted', rows: gone.length },
    {
      table: 'signals',
      action: 'anonymised',
      rows: redacted.length,
      reason: redacted.length
        ? 'account signals that named the person stay for the account; the person is replaced'
        : undefined,
    },
  ];
}

export const signalsPersonalData: PersonalDataProvider = { collect, erase: (tx, s) => erase(tx, s) };

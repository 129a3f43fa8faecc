import { and, eq } from 'drizzle-orm';
import { cachesOf } from '../../platform/caches.js';
import type { Tx } from '../../platform/db/database.js';
import type {
  DataSubject,
  ErasureOutcome,
  PersonalDataProvider,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { redactColumns, subjectNeedles } from '../../platform/privacy/personal-data-scrub.js';
import { contactScores, quotas } from './predict.schema.js';

/**
 * Predictions about a person (issue 13 items 2 and 5): their lead score with the model version and
 * top factors. Quotas are targets of staff (users), never of a customer's contact; only a note that
 * names the person is redacted. Training snapshots hold feature values without identifiers; the
 * next retrain no longer sees the erased contact.
 */

async function collect(tx: Tx, s: DataSubject): Promise<PersonalDataSection[]> {
  const rows = await tx
    .select()
    .from(contactScores)
    .where(and(eq(contactScores.tenant_id, s.tenantId), eq(contactScores.contact_id, s.contactId)));
  return [
    {
      kind: 'predictions',
      label: { en: 'Scores computed about you', zh: '对您的评分' },
      total: rows.length,
      records: rows.map((r) => {
        const lineage = [
          {
            method: r.method === 'model' ? 'model' : 'rule',
            source: 'predict',
            at: r.computed_at.toISOString(),
            detail:
              r.method === 'model'
                ? `lead-score model v${r.model_version ?? '?'}`
                : 'lead-score rules (fallback)',
          },
        ];
        return {
          id: r.id,
          title: 'lead_score',
          at: r.computed_at.toISOString(),
          fields: [
            { key: 'score', label: { en: 'Lead score', zh: '线索评分' }, value: r.score, lineage },
            { key: 'top_factors', label: { en: 'Why', zh: '主要因素' }, value: r.top_factors, lineage },
          ],
        };
      }),
    },
  ];
}

async function erase(tx: Tx, s: DataSubject): Promise<ErasureOutcome[]> {
  const scores = await tx
    .delete(contactScores)
    .where(and(eq(contactScores.tenant_id, s.tenantId), eq(contactScores.contact_id, s.contactId)))
    .returning({ id: contactScores.id });
  const notes = await redactColumns(tx, {
    table: quotas,
    id: quotas.id,
    columns: { note: quotas.note },
    needles: subjectNeedles(s),
    where: eq(quotas.tenant_id, s.tenantId),
  });
  // Loaded models score from cached feature rows: dropped so nothing derived about the person stays in memory.
  for (const { name } of cachesOf(tx).sizes())
    if (name.startsWith('predict.')) cachesOf(tx).map(name).clear();
  return [
    { table: 'contact_scores', action: 'deleted', rows: scores.length },
    {
      table: 'quotas',
      action: 'anonymised',
      rows: notes.length,
      reason: notes.length ? 'sales targets stay; a note that named the person is redacted' : undefined,
    },
  ];
}

export const predictPersonalData: PersonalDataProvider = {
  collect: (tx, s) => collect(tx, s),
  erase: (tx, s) => erase(tx, s),
};

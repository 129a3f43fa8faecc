import { and, eq, or, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import { identifierNeedles } from '../../platform/privacy/identifier-needles.js';
import type {
  DataSubject,
  ErasureOutcome,
  PersonalDataProvider,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { redactColumns, subjectNeedles, textMentions } from '../../platform/privacy/personal-data-scrub.js';
import { interventionSignOffs, interventions } from './interventions.schema.js';

/**
 * Intervention bundles that name a person (issue 13 items 2 and 5): their evidence, talk track,
 * risk text or outcome notes mention them (or carry their contact id). The bundles are the
 * account team's record of what was done and stay; the person is redacted out of them.
 */

const naming = (s: DataSubject, needles: string[]) =>
  and(
    eq(interventions.tenant_id, s.tenantId),
    or(
      textMentions(interventions.title, needles),
      textMentions(interventions.talk_track, needles),
      textMentions(interventions.evidence, needles),
      textMentions(interventions.risk, needles),
      textMentions(interventions.resources, needles),
      textMentions(interventions.outcome_note, needles),
      textMentions(interventions.dismiss_reason, needles),
    ),
  );

async function collect(tx: Tx, s: DataSubject, { limit }: { limit: number }): Promise<PersonalDataSection[]> {
  // Their contact id in the evidence, or their e-mail/phone (never a name match: review item 1).
  const where = naming(s, [...identifierNeedles(s), s.contactId]);
  const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(interventions).where(where);
  const rows = await tx
    .select()
    .from(interventions)
    .where(where)
    .orderBy(sql`${interventions.created_at} desc`)
    .limit(limit);
  return [
    {
      kind: 'interventions',
      label: { en: 'Sales alerts that mention you', zh: '提及您的销售提醒' },
      total: Number(n),
      records: rows.map((r) => {
        const lineage = [
          {
            method: 'rule',
            source: 'interventions',
            at: r.created_at.toISOString(),
            detail: `rule ${r.rule_key} v${r.rule_version}`,
          },
        ];
        return {
          id: r.id,
          title: r.title,
          at: r.created_at.toISOString(),
          fields: [
            { key: 'title', label: { en: 'Alert', zh: '提醒' }, value: r.title, lineage },
            { key: 'evidence', label: { en: 'Evidence', zh: '依据' }, value: r.evidence, lineage },
            {
              key: 'talk_track',
              label: { en: 'Suggested talk track', zh: '建议话术' },
              value: r.talk_track,
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
  const bundles = await redactColumns(tx, {
    table: interventions,
    id: interventions.id,
    columns: {
      title: interventions.title,
      talk_track: interventions.talk_track,
      evidence: interventions.evidence,
      risk: interventions.risk,
      resources: interventions.resources,
      outcome_note: interventions.outcome_note,
      dismiss_reason: interventions.dismiss_reason,
      delivery_reason: interventions.delivery_reason,
    },
    needles,
    where: eq(interventions.tenant_id, s.tenantId),
  });
  const signOffs = await redactColumns(tx, {
    table: interventionSignOffs,
    id: interventionSignOffs.id,
    columns: { basis: interventionSignOffs.basis },
    needles,
    where: eq(interventionSignOffs.tenant_id, s.tenantId),
  });
  const reason = 'the account team’s record of alerts and sign-offs stays; the person is replaced';
  return [
    {
      table: 'interventions',
      action: 'anonymised',
      rows: bundles.length,
      reason: bundles.length ? reason : undefined,
    },
    {
      table: 'intervention_sign_offs',
      action: 'anonymised',
      rows: signOffs.length,
      reason: signOffs.length ? reason : undefined,
    },
  ];
}

export const interventionsPersonalData: PersonalDataProvider = { collect, erase: (tx, s) => erase(tx, s) };

import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/database.js';
import type {
  DataSubject,
  ErasureOutcome,
  PersonalDataProvider,
  PersonalDataSection,
} from '../../platform/privacy/personal-data.js';
import { redactColumns, subjectNeedles, textMentions } from '../../platform/privacy/personal-data-scrub.js';
import { mappingDefinitions, mappingRuns, mappingSourceSamples, mappingVersions } from './mappings.schema.js';

/**
 * Copies of a person in the mapping editor (issue 13 items 2 and 5): payloads captured from inbound
 * webhooks (the "use captured sample" button), run excerpts and samples saved in drafts/versions.
 * Captured samples naming them are deleted; runs, drafts and versions are redacted.
 */

async function collect(tx: Tx, s: DataSubject, { limit }: { limit: number }): Promise<PersonalDataSection[]> {
  const needles = subjectNeedles(s);
  const rows = await tx
    .select()
    .from(mappingSourceSamples)
    .where(
      and(
        eq(mappingSourceSamples.tenant_id, s.tenantId),
        textMentions(mappingSourceSamples.payload, needles),
      ),
    )
    .limit(limit);
  const [{ n }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(mappingRuns)
    .where(and(eq(mappingRuns.tenant_id, s.tenantId), textMentions(mappingRuns.input_excerpt, needles)));
  return [
    {
      kind: 'captured_payloads',
      label: { en: 'Payloads received from other systems', zh: '从其他系统收到的数据' },
      total: rows.length + Number(n),
      records: rows.map((r) => ({
        id: `${r.source_id}:sample`,
        title: { en: 'Data received from a connected system', zh: '对接系统发来的数据' },
        at: r.received_at.toISOString(),
        fields: [
          {
            key: 'payload',
            label: { en: 'Content', zh: '内容' },
            value: r.payload,
            lineage: [{ method: 'sync', source: 'webhook', at: r.received_at.toISOString() }],
          },
        ],
      })),
    },
  ];
}

async function erase(tx: Tx, s: DataSubject): Promise<ErasureOutcome[]> {
  const needles = subjectNeedles(s);
  const samples = await tx
    .delete(mappingSourceSamples)
    .where(
      and(
        eq(mappingSourceSamples.tenant_id, s.tenantId),
        textMentions(mappingSourceSamples.payload, needles),
      ),
    )
    .returning({ id: mappingSourceSamples.source_id });
  const runs = await redactColumns(tx, {
    table: mappingRuns,
    id: mappingRuns.id,
    columns: {
      input_excerpt: mappingRuns.input_excerpt,
      output: mappingRuns.output,
      result: mappingRuns.result,
      errors: mappingRuns.errors,
    },
    needles,
    where: eq(mappingRuns.tenant_id, s.tenantId),
  });
  const drafts = await redactColumns(tx, {
    table: mappingDefinitions,
    id: mappingDefinitions.id,
    columns: { draft: mappingDefinitions.draft, description: mappingDefinitions.description },
    needles,
    where: eq(mappingDefinitions.tenant_id, s.tenantId),
  });
  const versions = await redactColumns(tx, {
    table: mappingVersions,
    id: mappingVersions.id,
    columns: { sample: mappingVersions.sample },
    needles,
    where: eq(mappingVersions.tenant_id, s.tenantId),
  });
  const reason = 'the mapping history stays; the person is replaced in the sample and the run excerpts';
  const kept = runs.length + drafts.length + versions.length;
  return [
    { table: 'mapping_source_samples', action: 'deleted', rows: samples.length },
    {
      table: 'mapping_runs',
      action: 'anonymised',
      rows: runs.length,
      reason: runs.length ? reason : undefined,
    },
    {
      table: 'mapping_definitions',
      action: 'anonymised',
      rows: kept - runs.length,
      reason: kept - runs.length ? reason : undefined,
    },
  ];
}

export const mappingsPersonalData: PersonalDataProvider = { collect, erase: (tx, s) => erase(tx, s) };

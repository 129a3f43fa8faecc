import { z } from 'zod';

/** A text in both UI languages (platform/privacy/personal-data.ts LocalText). */
const localText = z.object({ en: z.string(), zh: z.string() });

/** Where a datum came from (DatumLineage): the portal and the staff data view show it in words. */
export const datumLineageOut = z.object({
  method: z
    .string()
    .describe('manual | import | ai_extracted | computed | sync | seed | customer | rule | model | llm'),
  source: z.string(),
  actorName: z.string().nullable().optional(),
  at: z.string(),
  detail: z
    .union([z.string(), localText])
    .optional()
    .describe('Model or rule name, possibly in both languages'),
});

/**
 * One module's section of what it holds about a person (PersonalDataSection with its module): the
 * response of the staff data view and of the portal's "everything held about you".
 */
export const personalDataSectionOut = z.object({
  module: z.string().describe('The module that holds the data'),
  kind: z
    .string()
    .describe('profile | insights | field_history | activities | signals | interventions | predictions | …'),
  label: localText,
  total: z.number().describe('Records held (records may be cut at the limit)'),
  records: z.array(
    z.object({
      id: z.string(),
      title: z
        .union([z.string(), localText])
        .describe("The record's own words, or a label in both languages"),
      at: z.string().optional(),
      fields: z.array(
        z.object({
          key: z.string(),
          label: localText,
          value: z.unknown(),
          lineage: z.array(datumLineageOut),
        }),
      ),
    }),
  ),
});

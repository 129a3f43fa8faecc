import { SimpleGrid } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Fact } from '../../components/Fact';
import { WithLineage } from '../../components/Lineage';
import { Section } from '../../components/Timeline';
import { type Entity, FORM_FIELDS } from '../../lib/fields';
import { fieldLabel, useLang } from '../../lib/hooks';
import type { CustomField, LineageItem } from '../../lib/types';
import type { AnyRecord } from './useRecordDisplay';

/** The record's fields (all but its name) and custom fields, each with its lineage where it has one. */
export function RecordDetails({
  entity,
  r,
  display,
  lineage,
  cfs,
}: {
  entity: Entity;
  r: AnyRecord;
  display: (name: string) => ReactNode;
  lineage: Map<string, LineageItem> | undefined;
  cfs: CustomField[];
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const fields = FORM_FIELDS[entity].map((d) => d.name).filter((n) => n !== 'name' && n !== 'subject');
  return (
    <Section title={t('common.details')}>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
        {fields.map((f) => {
          const v = display(f);
          return (
            <Fact key={f} label={t(`fields.${f}`)}>
              {v === null ? '—' : <WithLineage item={lineage?.get(f)}>{v}</WithLineage>}
            </Fact>
          );
        })}
        {cfs.map((cf) => {
          const v = r.custom?.[cf.key];
          return (
            <Fact key={cf.key} label={fieldLabel(cf, lang)} block={false}>
              {v === undefined || v === null ? '—' : Array.isArray(v) ? v.join(', ') : String(v)}
            </Fact>
          );
        })}
      </SimpleGrid>
    </Section>
  );
}

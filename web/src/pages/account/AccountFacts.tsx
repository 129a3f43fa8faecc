import { SimpleGrid, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Fact } from '../../components/Fact';
import { WithLineage } from '../../components/Lineage';
import { Section } from '../../components/Timeline';
import { formatNumber } from '../../lib/format';
import { fieldLabel, useLang } from '../../lib/hooks';
import type { Account, LineageItem } from '../../lib/types';
import type { AccountData } from './useAccountData';

export type LineageMap = Map<string, LineageItem> | undefined;

/** A value with its lineage hover card, when the field has one. */
export function withLineage(lineage: LineageMap, field: string, node: ReactNode) {
  return <WithLineage item={lineage?.get(field)}>{node}</WithLineage>;
}

/** The account's facts: its own fields, its custom fields and its description. */
export function AccountFacts({
  a,
  lineage,
  data,
}: {
  a: Account;
  lineage: LineageMap;
  data: Pick<AccountData, 'regions' | 'cfs' | 'userNames'>;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const L = (field: string, node: ReactNode) => withLineage(lineage, field, node);
  const fact = (field: string, value: ReactNode) => (
    <Fact key={field} label={t(`fields.${field}`)}>
      {value === null || value === undefined || value === '' ? '—' : L(field, value)}
    </Fact>
  );
  const custom = (v: unknown) =>
    Array.isArray(v)
      ? v.join(', ')
      : typeof v === 'boolean'
        ? v
          ? t('common.yes')
          : t('common.no')
        : String(v);
  return (
    <Section title={t('account.facts')}>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
        {fact(
          'credit_code',
          a.credit_code && (
            <Text span ff="monospace" fz="sm">
              {a.credit_code}
            </Text>
          ),
        )}
        {fact('industry', a.industry)}
        {fact('region_id', a.region_id ? data.regions.data?.find((r) => r.id === a.region_id)?.name : null)}
        {fact('owner_id', a.owner_id ? data.userNames.get(a.owner_id) : null)}
        {fact('employees', a.employees !== null ? formatNumber(a.employees, lang) : null)}
        {fact('size', a.size)}
        {fact('domains', a.domains.join(', '))}
        {fact('website', a.website)}
        {fact('phone', a.phone)}
        {fact('address', a.address)}
        {(data.cfs.data ?? []).map((cf) => {
          const v = a.custom?.[cf.key];
          return (
            <Fact key={cf.key} label={fieldLabel(cf, lang)}>
              {v === undefined || v === null || v === '' ? '—' : L('custom', custom(v))}
            </Fact>
          );
        })}
      </SimpleGrid>
      {a.description && (
        <Text fz="sm" c="dimmed">
          {L('description', a.description)}
        </Text>
      )}
    </Section>
  );
}

import { MultiSelect, NumberInput, Select, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { sortByName } from '../../lib/format';
import { stageLabel, useLang, usePipelines, useRegions, useTeams, useUsers } from '../../lib/hooks';
import type { Filter } from '../../lib/listConfig';
import type { Named } from '../../lib/types';

/** One filter of a list page (text, choice, user/region/team, number range, date, stage). */
export function FilterInput({
  filter,
  value,
  onChange,
}: {
  filter: Filter;
  value: string;
  onChange: (v: string | null) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const users = useUsers();
  const regions = useRegions();
  const teams = useTeams();
  const pipelines = usePipelines();
  const label = t(filter.labelKey);
  const w = 180;
  switch (filter.kind) {
    case 'text':
      return (
        <TextInput
          w={w}
          label={label}
          defaultValue={value}
          onBlur={(e) => onChange(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && onChange(e.currentTarget.value)}
        />
      );
    case 'number':
      return (
        <NumberInput
          w={w}
          label={label}
          value={value}
          onBlur={(e) => onChange(e.currentTarget.value.replace(/,/g, ''))}
          thousandSeparator=","
        />
      );
    case 'date':
      return (
        <TextInput
          w={w}
          type="date"
          label={label}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'enum':
      return (
        <Select
          w={w}
          label={label}
          clearable
          value={value || null}
          onChange={onChange}
          data={(filter.options ?? []).map((o) => ({
            value: o,
            label: filter.optionsNs ? t(`${filter.optionsNs}.${o}`) : o,
          }))}
        />
      );
    case 'stage': {
      const p = pipelines.data?.find((x) => x.is_default) ?? pipelines.data?.[0];
      return (
        <MultiSelect
          w={260}
          label={label}
          clearable
          value={value ? value.split(',') : []}
          onChange={(v) => onChange(v.join(','))}
          data={(p?.stages ?? []).map((s) => ({ value: s.key, label: stageLabel(s, lang) }))}
        />
      );
    }
    default: {
      const src: Named[] | undefined =
        filter.kind === 'user' ? users.data : filter.kind === 'region' ? regions.data : teams.data;
      return (
        <Select
          w={w}
          label={label}
          searchable
          clearable
          value={value || null}
          onChange={onChange}
          data={sortByName(src ?? [], (r) => r.name, lang).map((r) => ({ value: r.id, label: r.name }))}
        />
      );
    }
  }
}

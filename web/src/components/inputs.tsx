import { Checkbox, MultiSelect, NumberInput, Select, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Page } from '../lib/api';
import type { FieldDef } from '../lib/fields';
import { sortByName } from '../lib/format';
import { fieldLabel, stageLabel, useLang, usePipelines, useRegions, useTeams, useUsers } from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import type { CustomField, Named } from '../lib/types';

interface InputProps {
  label: string;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
  required?: boolean;
  name: string;
}

/** Searchable select over a record list (server-side `q`). */
export function RecordSelect({
  entity,
  label,
  value,
  onChange,
  error,
  required,
  name,
  initialLabel,
}: InputProps & { entity: 'accounts' | 'opportunities' | 'contacts'; initialLabel?: string }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const id = typeof value === 'string' && value ? value : null;
  const list = useQuery({
    queryKey: queryKeys.records.select(entity, debounced),
    queryFn: () =>
      api<Page<Named>>(`/${entity}`, {
        query: { q: debounced || undefined, limit: 20 },
      }),
    staleTime: 30_000,
  });
  const current = useQuery({
    queryKey: queryKeys.records.one(entity, id ?? undefined),
    queryFn: () => api<Named>(`/${entity}/${id}`),
    enabled: !!id && !initialLabel && chosen?.value !== id,
    staleTime: 60_000,
  });
  const data = useMemo(() => {
    const m = new Map<string, string>();
    if (id) {
      const lbl = chosen?.value === id ? chosen.label : (initialLabel ?? current.data?.name);
      if (lbl) m.set(id, lbl);
    }
    for (const r of list.data?.data ?? []) m.set(r.id, r.name);
    return [...m.entries()].map(([v, l]) => ({ value: v, label: l }));
  }, [list.data, id, chosen, initialLabel, current.data]);
  return (
    <Select
      label={label}
      name={name}
      data-field={name}
      searchable
      clearable
      required={required}
      value={id}
      data={data}
      filter={({ options }) => options}
      onSearchChange={setSearch}
      onChange={(v, opt) => {
        setChosen(v && opt ? { value: v, label: opt.label } : null);
        onChange(v ?? null);
      }}
      error={error}
      nothingFoundMessage="—"
    />
  );
}

export function FieldInput({
  def,
  value,
  onChange,
  error,
  values,
  initialLabels,
}: {
  def: FieldDef;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
  values: Record<string, unknown>;
  initialLabels?: Record<string, string | undefined>;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const label = t(`fields.${def.name}`);
  const common = { label, error, required: def.required, name: def.name, 'data-field': def.name } as const;
  const users = useUsers();
  const regions = useRegions();
  const teams = useTeams();
  const pipelines = usePipelines();
  const str = (value ?? '') as string;

  switch (def.type) {
    case 'text':
      return <TextInput {...common} value={str} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'list':
      return (
        <TextInput
          {...common}
          value={str}
          description={t('admin.optionsHint')}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'textarea':
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          maxRows={8}
          value={str}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'number':
    case 'money':
      return (
        <NumberInput
          {...common}
          value={value === null || value === undefined ? '' : (value as number | string)}
          thousandSeparator={def.type === 'money' ? ',' : undefined}
          onChange={(v) => onChange(v === '' ? null : v)}
        />
      );
    case 'date':
      return (
        <TextInput {...common} type="date" value={str} onChange={(e) => onChange(e.currentTarget.value)} />
      );
    case 'datetime':
      return (
        <TextInput
          {...common}
          type="datetime-local"
          value={str}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'enum':
      return (
        <Select
          {...common}
          clearable={!def.required}
          value={str || null}
          onChange={(v) => onChange(v ?? null)}
          data={(def.options ?? []).map((o) => ({
            value: o,
            label: def.optionsNs ? t(`${def.optionsNs}.${o}`) : o,
          }))}
        />
      );
    case 'account':
      return (
        <RecordSelect
          {...common}
          entity="accounts"
          value={value}
          onChange={onChange}
          initialLabel={initialLabels?.[def.name]}
        />
      );
    case 'opportunity':
      return (
        <RecordSelect
          {...common}
          entity="opportunities"
          value={value}
          onChange={onChange}
          initialLabel={initialLabels?.[def.name]}
        />
      );
    case 'user':
    case 'region':
    case 'team': {
      const src: Named[] | undefined =
        def.type === 'user' ? users.data : def.type === 'region' ? regions.data : teams.data;
      const rows = sortByName(src ?? [], (r) => r.name, lang);
      return (
        <Select
          {...common}
          searchable
          clearable
          value={str || null}
          onChange={(v) => onChange(v ?? null)}
          data={rows.map((r) => ({ value: r.id, label: r.name }))}
        />
      );
    }
    case 'pipeline':
      return (
        <Select
          {...common}
          value={str || null}
          onChange={(v) => onChange(v ?? null)}
          data={(pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
      );
    case 'stage': {
      const pid = values.pipeline_id as string | undefined;
      const p =
        pipelines.data?.find((x) => x.id === pid) ??
        pipelines.data?.find((x) => x.is_default) ??
        pipelines.data?.[0];
      return (
        <Select
          {...common}
          value={str || null}
          onChange={(v) => onChange(v ?? null)}
          data={(p?.stages ?? []).map((s) => ({ value: s.key, label: stageLabel(s, lang) }))}
        />
      );
    }
  }
}

export function CustomFieldInput({
  cf,
  value,
  onChange,
  error,
}: {
  cf: CustomField;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
}) {
  const lang = useLang();
  const label = fieldLabel(cf, lang);
  const name = `custom.${cf.key}`;
  const common = { label, error, required: cf.required, name, 'data-field': name } as const;
  switch (cf.type) {
    case 'number':
      return (
        <NumberInput
          {...common}
          value={(value as number | string) ?? ''}
          onChange={(v) => onChange(v === '' ? null : v)}
        />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={(value as string) ?? ''}
          onChange={(e) => onChange(e.currentTarget.value || null)}
        />
      );
    case 'boolean':
      return (
        <Checkbox
          label={label}
          name={name}
          data-field={name}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          mt="lg"
        />
      );
    case 'select':
      return (
        <Select
          {...common}
          clearable
          value={(value as string) ?? null}
          onChange={(v) => onChange(v)}
          data={cf.options}
        />
      );
    case 'multiselect':
      return (
        <MultiSelect
          {...common}
          value={Array.isArray(value) ? (value as string[]) : []}
          onChange={(v) => onChange(v)}
          data={cf.options}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          value={(value as string) ?? ''}
          onChange={(e) => onChange(e.currentTarget.value || null)}
        />
      );
  }
}

import { Alert, Button, Divider, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../lib/api';
import { buildPayload, type Entity, FORM_FIELDS, toFormValue } from '../lib/fields';
import { useCustomFields } from '../lib/hooks';
import { ApiError, problemToFieldErrors } from '../lib/problem';
import { queryKeys } from '../lib/query-keys';
import { DuplicateAlert } from '../pages/merge/DuplicateAlert';
import { isMergeEntity } from '../pages/merge/merge-lib';
import { CustomFieldInput, FieldInput } from './inputs';

export interface RecordFormProps {
  entity: Entity;
  /** existing record → edit (PATCH changed fields); otherwise create */
  record?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  /** limit the form to these fields (quick create) */
  only?: string[];
  initialLabels?: Record<string, string | undefined>;
  onSaved?: (row: Record<string, unknown>) => void;
  onCancel?: () => void;
}

export function RecordForm({
  entity,
  record,
  defaults,
  only,
  initialLabels,
  onSaved,
  onCancel,
}: RecordFormProps) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const cfs = useCustomFields(entity);
  const defs = useMemo(
    () => FORM_FIELDS[entity].filter((d) => (only ? only.includes(d.name) : record || d.create !== false)),
    [entity, only, record],
  );
  const [values, setValues] = useState<Record<string, unknown>>(() => {
    const src = { ...(defaults ?? {}), ...(record ?? {}) };
    return Object.fromEntries(defs.map((d) => [d.name, toFormValue(d.type, src[d.name])]));
  });
  const [custom, setCustom] = useState<Record<string, unknown>>(() => ({
    ...((record?.custom as Record<string, unknown>) ?? {}),
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);

  const known = useMemo(
    () => [...defs.map((d) => d.name), ...(cfs.data ?? []).map((c) => `custom.${c.key}`), 'custom'],
    [defs, cfs.data],
  );

  const save = useMutation({
    mutationFn: async () => {
      const body = buildPayload(defs, values, record);
      const origCustom = (record?.custom as Record<string, unknown>) ?? {};
      const customChanged = JSON.stringify(origCustom) !== JSON.stringify(custom);
      const cleaned = Object.fromEntries(
        Object.entries(custom).filter(([, v]) => v !== '' && v !== undefined),
      );
      if (record ? customChanged : Object.keys(cleaned).length > 0) body.custom = cleaned;
      if (record) {
        if (Object.keys(body).length === 0) return record;
        return api<Record<string, unknown>>(`/${entity}/${record.id}`, { method: 'PATCH', body });
      }
      return api<Record<string, unknown>>(`/${entity}`, { method: 'POST', body });
    },
    onSuccess: (row) => {
      setErrors({});
      setGeneral([]);
      void qc.invalidateQueries({ queryKey: queryKeys.records.all(entity) });
      void qc.invalidateQueries({ queryKey: queryKeys.records.lists(entity) });
      void qc.invalidateQueries({ queryKey: queryKeys.board.all });
      if (entity === 'accounts') void qc.invalidateQueries({ queryKey: queryKeys.lookup.accountNames });
      notifications.show({ color: 'green', message: record ? t('common.saved') : t('common.created') });
      onSaved?.(row);
    },
    onError: (err) => {
      if (err instanceof ApiError) {
        const mapped = problemToFieldErrors(err.problem, known);
        setErrors(mapped.fields);
        setGeneral(
          mapped.general.length ? mapped.general : Object.keys(mapped.fields).length ? [] : [err.message],
        );
      } else setGeneral([t('errors.network')]);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  const set = (name: string) => (v: unknown) => {
    setValues((s) => ({ ...s, [name]: v }));
    if (errors[name]) setErrors(({ [name]: _x, ...rest }) => rest);
  };
  const setCf = (key: string) => (v: unknown) => {
    setCustom((s) => ({ ...s, [key]: v }));
    if (errors[`custom.${key}`]) setErrors(({ [`custom.${key}`]: _x, ...rest }) => rest);
  };
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <form onSubmit={submit} noValidate data-testid={`form-${entity}`}>
      <Stack>
        {(general.length > 0 || hasErrors) && (
          <Alert color="red" role="alert" title={hasErrors ? t('common.fixErrors') : t('common.error')}>
            {general.map((g) => (
              <div key={g}>{g}</div>
            ))}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {defs.map((d) => (
            <FieldInput
              key={d.name}
              def={d}
              value={values[d.name]}
              onChange={set(d.name)}
              error={errors[d.name]}
              values={values}
              initialLabels={initialLabels}
            />
          ))}
        </SimpleGrid>
        {!record && isMergeEntity(entity) && (
          <DuplicateAlert entity={entity} values={values} onOpen={onCancel} />
        )}
        {(cfs.data?.length ?? 0) > 0 && !only && (
          <>
            <Divider label={<Text fz="sm">{t('admin.customFields')}</Text>} labelPosition="left" />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {cfs.data!.map((cf) => (
                <CustomFieldInput
                  key={cf.id}
                  cf={cf}
                  value={custom[cf.key]}
                  onChange={setCf(cf.key)}
                  error={errors[`custom.${cf.key}`]}
                />
              ))}
            </SimpleGrid>
          </>
        )}
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              {t('common.cancel')}
            </Button>
          )}
          <Button type="submit" loading={save.isPending} data-testid="form-submit">
            {record ? t('common.save') : t('common.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import { Alert, Button, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth/auth';
import { formatDateTime } from '../lib/format';
import { useLang } from '../lib/hooks';
import { ApiError } from '../lib/problem';
import {
  defaultsBody,
  defaultsChanged,
  defaultsErrors,
  defaultsRows,
  SHARING_ACCESS,
  type SharingAccess,
  type SharingDefault,
  type SharingEntity,
  useSaveSharingDefaults,
  useSharingDefaults,
} from '../lib/sharing';
import { ErrorState, Loading } from './States';

type Draft = Partial<Record<SharingEntity, SharingAccess>>;
type Body = { entity: SharingEntity; access: SharingAccess }[];

/** Admin → Sharing: the organisation-wide default per object, saved with one PUT. */
export function SharingDefaultsTab() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const defaults = useSharingDefaults();
  const save = useSaveSharingDefaults();
  const [errors, setErrors] = useState<{ rows: Partial<Record<SharingEntity, string>>; general: string[] }>({
    rows: {},
    general: [],
  });
  if (!can('settings:manage')) return <Alert color="yellow">{t('sharing.noAccess')}</Alert>;
  if (defaults.isPending) return <Loading />;
  if (defaults.isError) return <ErrorState error={defaults.error} onRetry={() => defaults.refetch()} />;
  return (
    <SharingDefaultsForm
      stored={defaults.data}
      saving={save.isPending}
      rowErrors={errors.rows}
      general={errors.general}
      onSave={(body) => {
        setErrors({ rows: {}, general: [] });
        save.mutate(body, {
          onSuccess: () => notifications.show({ color: 'green', message: t('sharing.saved') }),
          onError: (e) =>
            setErrors(
              e instanceof ApiError ? defaultsErrors(e.problem, body) : { rows: {}, general: [String(e)] },
            ),
        });
      }}
    />
  );
}

export function SharingDefaultsForm({
  stored,
  saving = false,
  rowErrors = {},
  general = [],
  onSave,
}: {
  stored: SharingDefault[];
  saving?: boolean;
  rowErrors?: Partial<Record<SharingEntity, string>>;
  general?: string[];
  onSave: (body: Body) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [draft, setDraft] = useState<Draft>({});
  const dirty = defaultsChanged(stored, draft);
  const options = SHARING_ACCESS.map((a) => ({ value: a, label: t(`sharing.access.${a}`) }));
  return (
    <form
      data-testid="sharing-defaults"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(defaultsBody(stored, draft));
      }}
    >
      <Stack>
        <div>
          <Title order={2} fz="h4">
            {t('sharing.defaultsTitle')}
          </Title>
          <Text fz="sm" c="dimmed" maw={720}>
            {t('sharing.defaultsIntro')}
          </Text>
        </div>
        {general.length > 0 && (
          <Alert color="red" role="alert">
            {general.map((g) => (
              <div key={g}>{g}</div>
            ))}
          </Alert>
        )}
        {defaultsRows(stored).map((row) => {
          const value = draft[row.entity] ?? row.access;
          const label = t(`entities.${row.entity}`);
          return (
            <Paper key={row.entity} withBorder p="md" data-testid={`sharing-row-${row.entity}`}>
              <Group justify="space-between" align="flex-start" gap="sm">
                <div style={{ flex: '1 1 220px', minWidth: 0 }}>
                  <Text fw={600}>{label}</Text>
                  <Text fz="sm" c="dimmed" data-testid={`sharing-hint-${row.entity}`}>
                    {t(`sharing.accessHint.${value}`)}
                  </Text>
                  <Text fz="xs" c="dimmed" mt={4}>
                    {row.updated_at
                      ? t('sharing.updatedAt', { date: formatDateTime(row.updated_at, lang) })
                      : t('sharing.neverChanged')}
                  </Text>
                </div>
                <Select
                  style={{ flex: '1 0 240px', maxWidth: 340 }}
                  aria-label={t('sharing.defaultFor', { object: label })}
                  data-testid={`sharing-default-${row.entity}`}
                  name={`defaults.${row.entity}`}
                  value={value}
                  allowDeselect={false}
                  data={options}
                  error={rowErrors[row.entity]}
                  comboboxProps={{ withinPortal: true }}
                  renderOption={({ option }) => (
                    <div>
                      <Text fz="sm">{option.label}</Text>
                      <Text fz="xs" c="dimmed">
                        {t(`sharing.accessHint.${option.value}`)}
                      </Text>
                    </div>
                  )}
                  onChange={(v) => v && setDraft((d) => ({ ...d, [row.entity]: v as SharingAccess }))}
                />
              </Group>
            </Paper>
          );
        })}
        <Group justify="flex-end">
          <Button variant="default" disabled={!dirty || saving} onClick={() => setDraft({})}>
            {t('sharing.discard')}
          </Button>
          <Button type="submit" loading={saving} disabled={!dirty} data-testid="sharing-save">
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

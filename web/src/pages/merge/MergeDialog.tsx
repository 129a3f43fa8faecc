import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Radio,
  ScrollArea,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useAuth } from '../../auth/auth';
import { Loading } from '../../components/States';
import { api, type Page } from '../../lib/api';
import { ApiError, problemToFieldErrors } from '../../lib/problem';
import { isReadOnly } from '../../lib/sharing';
import { useRecordDisplay } from '../record/useRecordDisplay';
import {
  combinedValues,
  type Duplicate,
  defaultChoice,
  differingFields,
  duplicateQuery,
  isCombined,
  type Merge,
  type MergeBody,
  type MergeEntity,
  type MergeRecord,
  mergeBody,
  movedText,
  reasonsText,
  useDuplicates,
} from './merge-lib';

/** "合并重复记录" on an account or contact page, for users who may edit it. */
export function MergeButton({ entity, record }: { entity: MergeEntity; record: MergeRecord }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const [opened, dialog] = useDisclosure(false);
  if (!can('crm:merge') || isReadOnly(record as { access?: unknown })) return null;
  return (
    <>
      <Button variant="default" onClick={dialog.open} data-testid="merge-open">
        {t('merge.action')}
      </Button>
      {opened && <MergeDialog entity={entity} record={record} onClose={dialog.close} />}
    </>
  );
}

const nameOf = (r: MergeRecord | null | undefined) => String(r?.name ?? '');

export function MergeDialog({
  entity,
  record,
  initialOtherId = null,
  onClose,
}: {
  entity: MergeEntity;
  record: MergeRecord;
  /** The other record, when the user already picked both (two rows selected in a list). */
  initialOtherId?: string | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const phone = useMediaQuery('(max-width: 36em)');
  const { display } = useRecordDisplay(entity);
  const [otherId, setOtherId] = useState<string | null>(initialOtherId);
  const [survivorId, setSurvivorId] = useState(record.id);
  const [picks, setPicks] = useState<Record<string, string>>({});

  const suggestions = useDuplicates(entity, duplicateQuery(entity, record), { excludeId: record.id });
  const other = useQuery({
    queryKey: [entity, otherId],
    queryFn: () => api<MergeRecord>(`/${entity}/${otherId}`),
    enabled: !!otherId,
    retry: false,
  });

  const merge = useMutation({
    mutationFn: (body: MergeBody) => api<Merge>(`/${entity}/merge`, { method: 'POST', body }),
    onSuccess: (m) => {
      const survivor = m.survivor_id === record.id ? record : other.data;
      const moved = movedText(t, m.moved);
      notifications.show({
        color: 'green',
        title: t('merge.dialog.done', { name: nameOf(survivor) }),
        message: moved ? t('merge.dialog.doneMoved', { moved }) : t('merge.dialog.doneUndo'),
        autoClose: 8000,
      });
      // a merge moves contacts, opportunities, activities, signals…: everything may be stale
      void qc.invalidateQueries();
      onClose();
      navigate(`/${entity}/${m.survivor_id}`);
    },
  });

  const pick = (id: string | null) => {
    setOtherId(id);
    setSurvivorId(record.id);
    setPicks({});
    merge.reset();
  };

  return (
    <Modal
      opened
      onClose={onClose}
      title={t('merge.dialog.title', { name: nameOf(record) })}
      size="xl"
      fullScreen={phone}
      scrollAreaComponent={ScrollArea.Autosize}
    >
      <MergeDialogView
        entity={entity}
        current={record}
        picker={
          <OtherRecordSelect
            entity={entity}
            excludeId={record.id}
            value={otherId}
            valueLabel={other.data ? nameOf(other.data) : undefined}
            onChange={pick}
          />
        }
        suggestions={{
          loading: suggestions.isLoading,
          error: suggestions.isError,
          data: suggestions.data ?? [],
        }}
        onSuggestion={(d) => pick(d.id)}
        other={other.data ?? null}
        otherState={!otherId ? 'none' : other.isPending ? 'loading' : other.isError ? 'error' : 'ready'}
        survivorId={survivorId}
        onSurvivor={setSurvivorId}
        picks={picks}
        onPick={(field, id) => setPicks((p) => ({ ...p, [field]: id }))}
        display={display}
        pending={merge.isPending}
        error={merge.error}
        onConfirm={(body) => merge.mutate(body)}
        onCancel={onClose}
      />
    </Modal>
  );
}

/** Search for the other record (server-side search, the current record left out). */
function OtherRecordSelect({
  entity,
  excludeId,
  value,
  valueLabel,
  onChange,
}: {
  entity: MergeEntity;
  excludeId: string;
  value: string | null;
  /** the picked record's name when it was picked outside the search (a suggestion) */
  valueLabel?: string;
  onChange: (id: string | null) => void;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(null);
  const list = useQuery({
    queryKey: ['select', entity, debounced],
    queryFn: () => api<Page<MergeRecord>>(`/${entity}`, { query: { q: debounced || undefined, limit: 20 } }),
    staleTime: 30_000,
  });
  const data = useMemo(() => {
    const m = new Map<string, string>();
    if (chosen && chosen.value === value) m.set(chosen.value, chosen.label);
    else if (value && valueLabel) m.set(value, valueLabel);
    for (const r of list.data?.data ?? []) {
      if (r.id === excludeId) continue;
      // two contacts often share a name: tell them apart by email or phone
      const extra = entity === 'contacts' ? identity(entity, r) : '';
      m.set(r.id, extra ? `${nameOf(r)} · ${extra}` : nameOf(r));
    }
    return [...m].map(([v, label]) => ({ value: v, label }));
  }, [list.data, chosen, value, valueLabel, excludeId, entity]);
  return (
    <Select
      label={t('merge.dialog.pick')}
      placeholder={
        entity === 'accounts'
          ? t('merge.dialog.pickPlaceholderAccounts')
          : t('merge.dialog.pickPlaceholderContacts')
      }
      name="merge_other"
      data-testid="merge-search"
      searchable
      clearable
      value={value}
      data={data}
      filter={({ options }) => options}
      onSearchChange={setSearch}
      onChange={(v, opt) => {
        setChosen(v && opt ? { value: v, label: opt.label } : null);
        onChange(v ?? null);
      }}
      nothingFoundMessage={list.isFetching ? t('common.loading') : '—'}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export interface MergeDialogViewProps {
  entity: MergeEntity;
  current: MergeRecord;
  picker?: ReactNode;
  suggestions: { loading: boolean; error: boolean; data: readonly Duplicate[] };
  onSuggestion: (d: Duplicate) => void;
  other: MergeRecord | null;
  otherState: 'none' | 'loading' | 'error' | 'ready';
  survivorId: string;
  onSurvivor: (id: string) => void;
  picks: Record<string, string>;
  onPick: (field: string, recordId: string) => void;
  display: (r: MergeRecord, field: string) => ReactNode;
  pending?: boolean;
  error?: unknown;
  onConfirm: (body: MergeBody) => void;
  onCancel: () => void;
}

/** The merge dialog's content: pick the other record, which one stays, each differing field's value, confirm. */
export function MergeDialogView(p: MergeDialogViewProps) {
  const { t } = useTranslation();
  const { entity, current, other } = p;
  const ready = p.otherState === 'ready' && other;
  const survivor = ready ? (p.survivorId === other.id ? other : current) : current;
  const merged = ready ? (survivor === current ? other : current) : null;
  const fields = merged ? differingFields(entity, survivor, merged) : [];
  const chosen = (field: string) =>
    merged ? (p.picks[field] ?? defaultChoice(field, survivor, merged)) : '';

  return (
    <Stack gap="md" data-testid="merge-dialog">
      {p.picker}
      {!other && p.otherState === 'none' && (
        <Stack gap={6}>
          <Text fz="sm" fw={600}>
            {t('merge.dialog.suggested')}
          </Text>
          {p.suggestions.loading ? (
            <Loading h={60} />
          ) : p.suggestions.error ? (
            <Text fz="sm" c="dimmed">
              {t('merge.dialog.suggestionsFailed')}
            </Text>
          ) : p.suggestions.data.length === 0 ? (
            <Text fz="sm" c="dimmed" data-testid="merge-no-suggestions">
              {t('merge.dialog.noSuggestions')}
            </Text>
          ) : (
            p.suggestions.data.map((d) => (
              <UnstyledButton key={d.id} onClick={() => p.onSuggestion(d)} data-testid="merge-suggestion">
                <Paper withBorder p="sm" className="zs-merge-suggestion">
                  <Group justify="space-between" gap="xs" wrap="nowrap">
                    <Text fz="sm" fw={500} truncate>
                      {d.name}
                    </Text>
                    <Badge variant="light" color="orange" style={{ flexShrink: 0 }}>
                      {reasonsText(t, d.reasons)}
                    </Badge>
                  </Group>
                  <Text fz="xs" c="dimmed" truncate>
                    {[d.credit_code, d.domain, d.email, d.phone].filter(Boolean).join(' · ')}
                  </Text>
                </Paper>
              </UnstyledButton>
            ))
          )}
        </Stack>
      )}
      {p.otherState === 'loading' && <Loading h={80} />}
      {p.otherState === 'error' && (
        <Alert color="red" role="alert">
          {t('merge.dialog.loadFailed')}
        </Alert>
      )}

      {ready && merged && (
        <>
          <Radio.Group
            label={t('merge.dialog.survivor')}
            value={survivor.id}
            onChange={p.onSurvivor}
            name="merge_survivor"
          >
            <SimpleGrid cols={{ base: 1, xs: 2 }} mt={6} spacing="xs">
              {[current, other].map((r) => (
                <Radio.Card
                  key={r.id}
                  value={r.id}
                  p="sm"
                  radius="md"
                  data-testid="merge-survivor"
                  data-id={r.id}
                  aria-label={nameOf(r)}
                >
                  <Group wrap="nowrap" align="flex-start" gap="sm">
                    <Radio.Indicator mt={2} />
                    <Stack gap={2} style={{ minWidth: 0 }}>
                      <Text fz="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                        {nameOf(r)}
                      </Text>
                      <Text fz="xs" c="dimmed">
                        {r.id === current.id ? t('merge.dialog.current') : identity(entity, r)}
                        {r.id === current.id && identity(entity, r) ? ` · ${identity(entity, r)}` : ''}
                      </Text>
                      <Text fz="xs" c={r.id === survivor.id ? 'indigo' : 'dimmed'} fw={500}>
                        {r.id === survivor.id ? t('merge.dialog.keeps') : t('merge.dialog.goes')}
                      </Text>
                    </Stack>
                  </Group>
                </Radio.Card>
              ))}
            </SimpleGrid>
          </Radio.Group>

          <Stack gap={4}>
            <Text fz="sm" fw={600}>
              {t('merge.dialog.fields')}
            </Text>
            {fields.length === 0 ? (
              <Text fz="sm" c="dimmed">
                {t('merge.dialog.noDifferences')}
              </Text>
            ) : (
              <>
                <Text fz="xs" c="dimmed">
                  {t('merge.dialog.fieldsHint')}
                </Text>
                <Table
                  layout="fixed"
                  verticalSpacing={6}
                  data-testid="merge-fields"
                  className="zs-merge-fields"
                >
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w="26%">{t('merge.dialog.colField')}</Table.Th>
                      <Table.Th>{t('merge.dialog.colSurvivor')}</Table.Th>
                      <Table.Th>{t('merge.dialog.colMerged')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {fields.map((d) => (
                      <Table.Tr key={d.name} data-field={d.name}>
                        <Table.Td
                          fz="sm"
                          c="dimmed"
                          style={{ overflowWrap: 'anywhere', verticalAlign: 'top' }}
                        >
                          {t(`fields.${d.name}`)}
                        </Table.Td>
                        {isCombined(d) ? (
                          <Table.Td colSpan={2} data-testid={`merge-combined-${d.name}`}>
                            <Text fz="sm" style={{ overflowWrap: 'anywhere' }}>
                              {combinedValues(survivor[d.name], merged[d.name]).join(
                                t('merge.dialog.listSep'),
                              )}
                            </Text>
                            <Text fz="xs" c="dimmed">
                              {t('merge.dialog.combined')}
                            </Text>
                          </Table.Td>
                        ) : (
                          [survivor, merged].map((r) => (
                            <Table.Td key={r.id} style={{ verticalAlign: 'top' }}>
                              <Radio
                                size="xs"
                                name={`merge_field_${d.name}`}
                                value={r.id}
                                checked={chosen(d.name) === r.id}
                                onChange={() => p.onPick(d.name, r.id)}
                                data-testid={`merge-pick-${d.name}-${r.id === survivor.id ? 'survivor' : 'merged'}`}
                                label={
                                  <Text fz="sm" component="span" style={{ overflowWrap: 'anywhere' }}>
                                    {p.display(r, d.name) ?? (
                                      <Text component="span" fz="sm" c="dimmed">
                                        {t('merge.dialog.empty')}
                                      </Text>
                                    )}
                                  </Text>
                                }
                              />
                            </Table.Td>
                          ))
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </>
            )}
          </Stack>

          <Alert color="indigo" variant="light" data-testid="merge-summary">
            <Text fz="sm">
              {entity === 'accounts' ? t('merge.dialog.summaryAccounts') : t('merge.dialog.summaryContacts')}
            </Text>
            <Text fz="sm" mt={4}>
              {t('merge.dialog.afterwards', { name: nameOf(merged) })}
            </Text>
          </Alert>
        </>
      )}
      {!!p.error && (
        <Alert color="red" role="alert" title={t('merge.dialog.failed')} data-testid="merge-error">
          {errorLines(p.error, t('errors.network')).map((line) => (
            <div key={line}>{line}</div>
          ))}
        </Alert>
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={p.onCancel}>
          {t('common.cancel')}
        </Button>
        <Button
          color="indigo"
          disabled={!ready || !merged}
          loading={p.pending}
          data-testid="merge-confirm"
          onClick={() => merged && p.onConfirm(mergeBody(entity, survivor, merged, p.picks))}
        >
          {t('merge.dialog.confirm')}
        </Button>
      </Group>
    </Stack>
  );
}

/** A record's identifying facts: credit code and domain for an account, email and phone for a contact. */
function identity(entity: MergeEntity, r: MergeRecord): string {
  const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
  const parts =
    entity === 'accounts' ? [r.credit_code, first(r.domains)] : [first(r.emails), first(r.phones)];
  return parts.filter((x) => typeof x === 'string' && x).join(' · ');
}

function errorLines(error: unknown, fallback: string): string[] {
  if (error instanceof ApiError) {
    const { general, fields } = problemToFieldErrors(error.problem, []);
    const lines = [...general, ...Object.values(fields)];
    return lines.length ? lines : [error.message];
  }
  return [fallback];
}

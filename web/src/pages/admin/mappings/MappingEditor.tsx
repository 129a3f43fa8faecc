import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  Loader,
  Modal,
  Paper,
  SegmentedControl,
  Stack,
  Tabs,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Field, RuleGroupType } from 'react-querybuilder';
import { request } from '../../../lib/api';
import { formatDateTime } from '../../../lib/format';
import { useLang } from '../../../lib/hooks';
import { ApiError } from '../../../lib/problem';
import { conditionToQuery, queryToCondition } from '../../../lib/rules';
import { type Caret, FieldMappings } from './FieldMappings';
import { RunHistory, VersionsList } from './History';
import {
  cleanFields,
  flatPaths,
  insertPath,
  type Mapping,
  type MappingError,
  mappingKeys,
  otherErrors,
  type PreviewBody,
  parseSample,
  samplePaths,
  type TargetInfo,
  type TestRun,
  varOf,
} from './mappings-lib';
import { SampleTree } from './SampleTree';
import { TriggerEditor } from './TriggerEditor';

/** The draft as it would be stored, to tell whether anything is unsaved. */
const snapshot = (sample: unknown, fields: Record<string, string>, trigger: unknown) =>
  stableJson([sample ?? null, cleanFields(fields), trigger ?? null]);

/** JSON with object keys sorted: the database (jsonb) hands objects back with their keys reordered. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : x,
  );
}

const sampleText = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v, null, 2));

/**
 * One mapping: the sample payload (pasted or captured from its source) with its field picker,
 * an expression per target field with a live preview (debounced POST /mappings/preview) and the
 * errors at each field, the trigger condition, draft vs active, activate, test run, versions and runs.
 */
export function MappingEditor({
  mapping,
  target,
  onBack,
}: {
  mapping: Mapping;
  target: TargetInfo;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const initial = useMemo(() => conditionToQuery(mapping.draft.trigger ?? {}), [mapping.draft.trigger]);
  const [text, setText] = useState(() => sampleText(mapping.draft.sample));
  const [fields, setFields] = useState<Record<string, string>>(() => ({ ...mapping.draft.fields }));
  const [query, setQuery] = useState<RuleGroupType>(initial.query);
  const [selected, setSelected] = useState<{ field: string; caret: Caret | null } | null>(null);
  const [saved, setSaved] = useState(() =>
    snapshot(mapping.draft.sample, mapping.draft.fields, mapping.draft.trigger),
  );
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [testVersion, setTestVersion] = useState<'active' | 'draft'>(
    mapping.active_version ? 'active' : 'draft',
  );
  const [testResult, setTestResult] = useState<TestRun | null>(null);
  const [capturedNote, setCapturedNote] = useState<string | null>(null);

  const sample = parseSample(text);
  const condition = queryToCondition(query, initial.defaults);
  // Unsaved: what would be saved differs from what was (a sample that does not parse counts as a change).
  const dirty = sample.error !== null || snapshot(sample.value, fields, condition) !== saved;
  const tree = useMemo(() => samplePaths(sample.value), [sample.value]);
  const triggerFields: Field[] = useMemo(
    () =>
      flatPaths(tree)
        .filter((n) => n.kind !== 'object' && n.kind !== 'array')
        .map((n) => ({
          name: varOf(n.path),
          label: varOf(n.path),
          inputType: n.kind === 'number' ? 'number' : 'text',
        })),
    [tree],
  );

  const body: PreviewBody = {
    target: mapping.target,
    fields: cleanFields(fields),
    trigger: condition,
    sample: sample.value ?? null,
  };
  const [debounced] = useDebouncedValue(JSON.stringify(body), 400);
  const preview = useQuery({
    queryKey: ['mappings', 'preview', debounced],
    queryFn: ({ signal }) =>
      request('post', '/mappings/preview', { body: JSON.parse(debounced) as PreviewBody, signal }),
    enabled: sample.error === null,
    placeholderData: keepPreviousData,
  });
  const errors: MappingError[] = preview.data?.errors ?? [];
  const shown = [...target.fields.map((f) => f.key), ...Object.keys(fields)];

  const change = (field: string, expression: string | null) => {
    setFields((prev) => {
      const next = { ...prev };
      if (expression === null) delete next[field];
      else next[field] = expression;
      return next;
    });
  };
  const pick = (path: string) => {
    if (!selected) return;
    const { text: next, caret } = insertPath(fields[selected.field] ?? '', path, selected.caret);
    change(selected.field, next);
    setSelected({ field: selected.field, caret: { start: caret, end: caret } });
  };

  const invalidate = () => qc.invalidateQueries({ queryKey: mappingKeys.all });
  const saveDraft = () =>
    request('put', '/mappings/{id}/draft', {
      path: { id: mapping.id },
      body: { sample: sample.value ?? null, fields: cleanFields(fields), trigger: condition },
    }).then((m) => {
      setSaved(snapshot(m.draft.sample, m.draft.fields, m.draft.trigger));
      qc.setQueryData(mappingKeys.one(mapping.id), m);
      return m;
    });
  const notifyError = (e: unknown) =>
    notifications.show({
      color: 'red',
      message:
        e instanceof ApiError
          ? [e.problem.detail, ...(e.problem.errors ?? []).map((x) => `${x.field}: ${x.reason}`)]
              .filter(Boolean)
              .join('\n')
          : String(e),
    });

  const save = useMutation({
    mutationFn: saveDraft,
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('mappings.saved') });
      invalidate();
    },
    onError: notifyError,
  });
  const activate = useMutation({
    mutationFn: async (version?: number) => {
      if (version === undefined && dirty) await saveDraft();
      return request('post', '/mappings/{id}/activate', {
        path: { id: mapping.id },
        body: version ? { version } : {},
      });
    },
    onSuccess: (m) => {
      qc.setQueryData(mappingKeys.one(mapping.id), m);
      notifications.show({ color: 'green', message: t('mappings.activated', { version: m.active_version }) });
      invalidate();
    },
    onError: notifyError,
  });
  const remove = useMutation({
    mutationFn: () => request('delete', '/mappings/{id}', { path: { id: mapping.id } }),
    onSuccess: () => {
      invalidate();
      onBack();
    },
    onError: notifyError,
  });
  const deactivate = useMutation({
    mutationFn: () => request('post', '/mappings/{id}/deactivate', { path: { id: mapping.id } }),
    onSuccess: (m) => {
      qc.setQueryData(mappingKeys.one(mapping.id), m);
      invalidate();
    },
    onError: notifyError,
  });
  const testRun = useMutation({
    mutationFn: async () => {
      if (testVersion === 'draft' && dirty) await saveDraft();
      return request('post', '/mappings/{id}/test-run', {
        path: { id: mapping.id },
        body: { payload: sample.value ?? null, version: testVersion },
      });
    },
    onSuccess: (r) => {
      setTestResult(r);
      qc.invalidateQueries({ queryKey: mappingKeys.runs(mapping.id) });
    },
    onError: notifyError,
  });
  const captured = useMutation({
    mutationFn: (sourceId: string) =>
      request('get', '/mappings/sources/{id}/sample', { path: { id: sourceId } }),
    onSuccess: (r) => {
      if (r.payload === null || r.payload === undefined) {
        setCapturedNote(t('mappings.noCaptured'));
        return;
      }
      setText(sampleText(r.payload));
      setCapturedNote(t('mappings.capturedAt', { time: formatDateTime(r.received_at, lang) }));
    },
    onError: notifyError,
  });

  const versions = useQuery({
    queryKey: mappingKeys.versions(mapping.id),
    queryFn: () =>
      request('get', '/mappings/{id}/versions', { path: { id: mapping.id } }).then((r) => r.data),
  });
  const runs = useQuery({
    queryKey: mappingKeys.runs(mapping.id),
    queryFn: () =>
      request('get', '/mappings/{id}/runs', { path: { id: mapping.id }, query: { limit: 50 } }).then(
        (r) => r.data,
      ),
  });

  const others = otherErrors(errors, shown);
  const selectedLabel = selected
    ? (target.fields.find((f) => f.key === selected.field)?.label[lang] ?? selected.field)
    : null;

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs" wrap="wrap">
          <Button variant="subtle" size="xs" onClick={onBack}>
            ← {t('mappings.back')}
          </Button>
          <Title order={4}>{mapping.name}</Title>
          <Badge variant="light" color="gray">
            {t(`mappings.targets.${mapping.target}`)}
          </Badge>
          <Badge variant="light" color="yellow" data-testid="draft-badge">
            {t('mappings.draft')}
          </Badge>
          {mapping.active_version ? (
            <Badge variant="filled" color="teal" data-testid="active-badge">
              {t('mappings.active', { version: mapping.active_version })}
            </Badge>
          ) : (
            <Badge variant="outline" color="gray">
              {t('mappings.notActive')}
            </Badge>
          )}
          {dirty && (
            <Text fz="xs" c="orange">
              {t('mappings.unsaved')}
            </Text>
          )}
        </Group>
        <Group gap="xs" wrap="wrap">
          <Button variant="default" size="sm" onClick={() => save.mutate()} loading={save.isPending}>
            {t('mappings.save')}
          </Button>
          <Button
            size="sm"
            onClick={() => activate.mutate(undefined)}
            loading={activate.isPending}
            title={t('mappings.activateHint')}
          >
            {t('mappings.activate')}
          </Button>
          {mapping.active_version !== null && (
            <Button
              size="sm"
              variant="subtle"
              color="gray"
              onClick={() => deactivate.mutate()}
              loading={deactivate.isPending}
            >
              {t('mappings.deactivate')}
            </Button>
          )}
          <Button size="sm" variant="subtle" color="red" onClick={() => setConfirmDelete(true)}>
            {t('mappings.delete')}
          </Button>
        </Group>
        <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={t('mappings.delete')}>
          <Stack gap="sm">
            <Text fz="sm">{t('mappings.deleteConfirm', { name: mapping.name })}</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirmDelete(false)}>
                {t('mappings.cancel')}
              </Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
                {t('mappings.delete')}
              </Button>
            </Group>
          </Stack>
        </Modal>
      </Group>

      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="sm">
            <Paper withBorder p="sm">
              <Stack gap="xs">
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Text fw={600}>{t('mappings.sample')}</Text>
                  {mapping.source_id && (
                    <Button
                      size="xs"
                      variant="light"
                      loading={captured.isPending}
                      onClick={() => mapping.source_id && captured.mutate(mapping.source_id)}
                    >
                      {t('mappings.useCaptured')}
                    </Button>
                  )}
                </Group>
                {capturedNote && (
                  <Text fz="xs" c="dimmed">
                    {capturedNote}
                  </Text>
                )}
                <Textarea
                  aria-label={t('mappings.sample')}
                  description={t('mappings.sampleHint')}
                  value={text}
                  onChange={(e) => {
                    setText(e.currentTarget.value);
                  }}
                  autosize
                  minRows={6}
                  maxRows={18}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
                  error={sample.error ? t('mappings.sampleInvalid', { error: sample.error }) : undefined}
                  data-testid="sample"
                />
              </Stack>
            </Paper>
            <Paper withBorder p="sm">
              <Stack gap={4}>
                <Text fw={600}>{t('mappings.picker')}</Text>
                <Text fz="xs" c="dimmed">
                  {selectedLabel
                    ? t('mappings.selectedField', { field: selectedLabel })
                    : t('mappings.pickerHint')}
                </Text>
                <div style={{ maxHeight: 360, overflow: 'auto' }}>
                  <SampleTree nodes={tree} onPick={pick} />
                </div>
              </Stack>
            </Paper>
          </Stack>
        </Grid.Col>

        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="sm">
            <Paper withBorder p="sm">
              <Stack gap="xs">
                <Group justify="space-between">
                  <Text fw={600}>{t('mappings.fieldMappings')}</Text>
                  {preview.isFetching && (
                    <Group gap={4}>
                      <Loader size="xs" />
                      <Text fz="xs" c="dimmed">
                        {t('mappings.previewing')}
                      </Text>
                    </Group>
                  )}
                </Group>
                <Text fz="xs" c="dimmed">
                  {t('mappings.fieldMappingsHint')}
                </Text>
                <FieldMappings
                  fields={target.fields}
                  expressions={fields}
                  values={preview.data?.values ?? null}
                  errors={errors}
                  lang={lang}
                  selected={selected?.field ?? null}
                  onSelect={(field, caret) => setSelected({ field, caret })}
                  onChange={change}
                />
                {others.length > 0 && (
                  <Alert color="red" title={t('mappings.otherErrors')} data-testid="other-errors">
                    {others.map((e) => (
                      <div key={`${e.field}-${e.reason}`}>{e.reason}</div>
                    ))}
                  </Alert>
                )}
                {preview.data && (
                  <details>
                    <summary>
                      <Text span fz="xs" c="dimmed">
                        {t('mappings.record')}
                      </Text>
                    </summary>
                    <pre className="zs-pre" data-testid="mapped-record">
                      {JSON.stringify(preview.data.record, null, 2)}
                    </pre>
                  </details>
                )}
              </Stack>
            </Paper>

            <Paper withBorder p="sm">
              <Stack gap="xs">
                <Text fw={600}>{t('mappings.trigger')}</Text>
                <Text fz="xs" c="dimmed">
                  {t('mappings.triggerHint')}
                </Text>
                <TriggerEditor
                  fields={triggerFields}
                  query={query}
                  setQuery={setQuery}
                  condition={condition}
                  lang={lang}
                />
                {preview.data && (
                  <Text
                    fz="sm"
                    c={
                      preview.data.trigger.error
                        ? 'red'
                        : preview.data.trigger.passes === false
                          ? 'orange'
                          : 'teal'
                    }
                    data-testid="trigger-result"
                  >
                    {preview.data.trigger.error
                      ? preview.data.trigger.error.reason
                      : preview.data.trigger.passes === null
                        ? t('mappings.triggerNone')
                        : preview.data.trigger.passes
                          ? t('mappings.triggerPasses')
                          : t('mappings.triggerFails')}
                  </Text>
                )}
              </Stack>
            </Paper>

            <Paper withBorder p="sm">
              <Stack gap="xs">
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Text fw={600}>{t('mappings.testRun')}</Text>
                  <Group gap="xs" wrap="wrap">
                    <SegmentedControl
                      size="xs"
                      value={testVersion}
                      onChange={(v) => setTestVersion(v === 'active' ? 'active' : 'draft')}
                      data={[
                        { value: 'draft', label: t('mappings.testDraft') },
                        {
                          value: 'active',
                          label: t('mappings.testActive'),
                          disabled: !mapping.active_version,
                        },
                      ]}
                    />
                    <Button
                      size="xs"
                      onClick={() => testRun.mutate()}
                      loading={testRun.isPending}
                      disabled={sample.error !== null}
                    >
                      {t('mappings.testRun')}
                    </Button>
                  </Group>
                </Group>
                <Text fz="xs" c="dimmed">
                  {t('mappings.testRunHint')}
                </Text>
                {testResult && (
                  <Alert
                    color={
                      testResult.status === 'ok' ? 'teal' : testResult.status === 'skipped' ? 'gray' : 'red'
                    }
                    data-testid="test-result"
                    title={
                      testResult.status === 'ok'
                        ? t('mappings.testOk')
                        : testResult.status === 'skipped'
                          ? t('mappings.testSkipped')
                          : t('mappings.testFailed')
                    }
                  >
                    {testResult.errors.map((e) => (
                      <div key={`${e.field}-${e.reason}`}>
                        {e.field}: {e.reason}
                      </div>
                    ))}
                  </Alert>
                )}
              </Stack>
            </Paper>
          </Stack>
        </Grid.Col>
      </Grid>

      <Tabs defaultValue="runs">
        <Tabs.List>
          <Tabs.Tab value="runs">{t('mappings.runs')}</Tabs.Tab>
          <Tabs.Tab value="versions">{t('mappings.versions')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runs" pt="sm">
          <RunHistory runs={runs.data ?? []} lang={lang} />
        </Tabs.Panel>
        <Tabs.Panel value="versions" pt="sm">
          <VersionsList
            versions={versions.data ?? []}
            lang={lang}
            busy={activate.isPending}
            onReactivate={(v) => activate.mutate(v)}
          />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

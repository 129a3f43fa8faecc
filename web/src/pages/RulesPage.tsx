import 'react-querybuilder/dist/query-builder.css';
import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  MultiSelect,
  NavLink,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Field, QueryBuilder, type RuleGroupType } from 'react-querybuilder';
import { Link, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { Empty, ErrorState, Loading } from '../components/States';
import { Section } from '../components/Timeline';
import { api, request } from '../lib/api';
import { formatDateTime } from '../lib/format';
import { useLang } from '../lib/hooks';
import { queryKeys } from '../lib/query-keys';
import {
  conditionToQuery,
  fieldsInQuery,
  queryToCondition,
  ruleFields,
  type VarDefaults,
} from '../lib/rules';
import {
  type Rule,
  type RuleDefinition,
  SEVERITY_ORDER,
  severityColor,
  signalTypeName,
  useSignalTypes,
} from '../lib/signals';

const OPERATORS = [
  { name: '=', label: '=' },
  { name: '!=', label: '≠' },
  { name: '<', label: '<' },
  { name: '<=', label: '≤' },
  { name: '>', label: '>' },
  { name: '>=', label: '≥' },
  { name: 'between', label: 'between' },
  { name: 'notBetween', label: 'not between' },
  { name: 'null', label: 'is null' },
  { name: 'notNull', label: 'is not null' },
];

export default function RulesPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const lang = useLang();
  const rules = useQuery({
    queryKey: queryKeys.rules.all,
    // the API declares rules as open records: their shape is named in lib/signals.ts
    queryFn: () => api<{ data: Rule[] }>('/rules').then((r) => r.data),
  });
  const types = useSignalTypes().data;
  const selected = rules.data?.find((r) => r.id === id);
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        {t('rules.title')}
      </Title>
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => rules.refetch()} />
      ) : rules.data.length === 0 ? (
        <Empty />
      ) : (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Paper withBorder p={4} component="nav" aria-label={t('rules.title')} data-testid="rule-list">
              {rules.data.map((r) => (
                <NavLink
                  key={r.id}
                  component={Link}
                  to={`/rules/${r.id}`}
                  active={r.id === id}
                  label={r.name}
                  description={
                    <Group gap={4} component="span">
                      <Text span fz="xs" ff="monospace">
                        {r.key}
                      </Text>
                      <Badge component="span" size="xs" variant="light">
                        {t('rules.version', { version: r.current_version })}
                      </Badge>
                      {r.definition && (
                        <Badge component="span" size="xs" color={severityColor(r.definition.severity)}>
                          {t(`inbox.severity.${r.definition.severity}`)}
                        </Badge>
                      )}
                      {!r.active && (
                        <Badge component="span" size="xs" color="gray" variant="outline">
                          {t('rules.inactive')}
                        </Badge>
                      )}
                    </Group>
                  }
                />
              ))}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            {selected ? (
              <RuleEditor
                key={`${selected.id}:${selected.current_version}`}
                rule={selected}
                types={types ?? []}
                lang={lang}
              />
            ) : (
              <Empty text={t('rules.select')} />
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

function RuleEditor({
  rule,
  types,
  lang,
}: {
  rule: Rule;
  types: NonNullable<ReturnType<typeof useSignalTypes>['data']>;
  lang: 'zh-CN' | 'en';
}) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const qc = useQueryClient();
  const editable = can('signals:manage');
  const def = rule.definition as RuleDefinition;
  const initial = useMemo(() => conditionToQuery(def?.condition ?? {}), [def]);
  const [query, setQuery] = useState<RuleGroupType>(initial.query);
  const [defaults] = useState<VarDefaults>(initial.defaults);
  const [form, setForm] = useState({
    name: rule.name,
    active: rule.active,
    signal_types: def?.signal_types ?? [],
    window_days: def?.window_days ?? 7,
    cooldown_hours: def?.cooldown_hours ?? 72,
    severity: def?.severity ?? 'medium',
    title: def?.title ?? '',
    what_changed: def?.what_changed ?? '',
    talk_track: def?.talk_track ?? '',
    specialist: def?.resources?.specialist ?? '',
    budget: def?.resources?.budget ?? ('' as number | string),
    cases: (def?.resources?.cases ?? []).join('\n'),
    change_reason: '',
  });
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm((f) => ({ ...f, [k]: v }));

  const fields = useMemo<Field[]>(() => {
    const labels = {
      count: t('rules.count'),
      rate: t('rules.rate'),
      baseline: t('rules.baseline'),
      max_strength: t('rules.max_strength'),
      latest: t('rules.latest'),
    };
    const used = fieldsInQuery(query);
    const typeKeys = new Set(form.signal_types);
    for (const f of used) {
      const m = /^(?:count|rate|baseline|max_strength|latest)\.([a-z0-9_]+)/.exec(f);
      if (m) typeKeys.add(m[1]);
    }
    const out = ruleFields(types, [...typeKeys], lang, labels);
    for (const f of used) if (!out.some((x) => x.name === f)) out.push({ name: f, label: f });
    return out;
  }, [types, form.signal_types, query, lang, t]);
  const condition = useMemo(() => queryToCondition(query, defaults), [query, defaults]);

  const save = useMutation({
    mutationFn: () => {
      if (!condition) throw new Error(t('rules.invalid'));
      const definition: RuleDefinition = {
        ...(def ?? {}),
        signal_types: form.signal_types,
        condition,
        window_days: Number(form.window_days),
        cooldown_hours: Number(form.cooldown_hours),
        severity: form.severity,
        title: form.title,
        what_changed: form.what_changed,
        talk_track: form.talk_track,
        resources: {
          cases: form.cases
            .split('\n')
            .map((s) => s.trim())
            .filter(Boolean),
          specialist: form.specialist.trim() || null,
          budget: form.budget === '' ? null : Number(form.budget),
        },
      };
      return request('put', '/rules/{id}', {
        path: { id: rule.id },
        body: {
          name: form.name,
          active: form.active,
          definition,
          change_reason: form.change_reason || undefined,
        },
      }) as Promise<unknown> as Promise<Rule>;
    },
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: t('rules.saved', { version: r.current_version }) });
      void qc.invalidateQueries({ queryKey: queryKeys.rules.all });
    },
  });

  const typeOptions = types.map((ty) => ({ value: ty.key, label: signalTypeName(types, ty.key, lang) }));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      data-testid="rule-editor"
    >
      <Stack gap="md">
        {!editable && <Alert color="gray">{t('rules.readOnly')}</Alert>}
        <Section title={`${rule.key} · ${t('rules.version', { version: rule.current_version })}`}>
          <Grid gutter="sm">
            <Grid.Col span={{ base: 12, sm: 8 }}>
              <TextInput
                label={t('rules.name')}
                value={form.name}
                onChange={(e) => set('name', e.currentTarget.value)}
                disabled={!editable}
                required
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Switch
                mt={{ base: 0, sm: 30 }}
                label={t('rules.active')}
                checked={form.active}
                onChange={(e) => set('active', e.currentTarget.checked)}
                disabled={!editable}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <MultiSelect
                label={t('rules.signalTypes')}
                data={typeOptions}
                value={form.signal_types}
                onChange={(v) => set('signal_types', v)}
                searchable
                disabled={!editable}
                required
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, xs: 4 }}>
              <NumberInput
                label={t('rules.window')}
                min={1}
                max={365}
                value={form.window_days}
                onChange={(v) => set('window_days', Number(v) || 1)}
                disabled={!editable}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, xs: 4 }}>
              <NumberInput
                label={t('rules.cooldown')}
                min={0}
                max={2160}
                value={form.cooldown_hours}
                onChange={(v) => set('cooldown_hours', Number(v) || 0)}
                disabled={!editable}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, xs: 4 }}>
              <Select
                label={t('rules.severity')}
                data={SEVERITY_ORDER.map((s) => ({ value: s, label: t(`inbox.severity.${s}`) }))}
                value={form.severity}
                onChange={(v) => v && set('severity', v as RuleDefinition['severity'])}
                allowDeselect={false}
                disabled={!editable}
              />
            </Grid.Col>
          </Grid>
        </Section>
        <Section title={t('rules.conditions')}>
          <div className="zs-rules" data-testid="query-builder">
            <QueryBuilder
              fields={fields}
              query={query}
              onQueryChange={setQuery}
              operators={OPERATORS}
              combinators={[
                { name: 'and', label: lang === 'en' ? 'AND' : '且 (AND)' },
                { name: 'or', label: lang === 'en' ? 'OR' : '或 (OR)' },
              ]}
              translations={{
                addRule: {
                  label: lang === 'en' ? '+ Condition' : '+ 条件',
                  title: lang === 'en' ? 'Add condition' : '添加条件',
                },
                addGroup: {
                  label: lang === 'en' ? '+ Group' : '+ 条件组',
                  title: lang === 'en' ? 'Add group' : '添加条件组',
                },
                removeRule: { label: '×', title: lang === 'en' ? 'Remove condition' : '删除条件' },
                removeGroup: { label: '×', title: lang === 'en' ? 'Remove group' : '删除条件组' },
              }}
              disabled={!editable}
              controlClassnames={{ queryBuilder: 'queryBuilder-branches' }}
            />
          </div>
          <details>
            <summary>
              <Text span fz="xs" c="dimmed">
                {t('rules.jsonLogic')}
              </Text>
            </summary>
            <pre className="zs-pre" data-testid="jsonlogic">
              {JSON.stringify(condition, null, 1)}
            </pre>
          </details>
        </Section>
        <Section title={t('inbox.talkTrack')}>
          <Text fz="xs" c="dimmed">
            {t('rules.templatesHint')}
          </Text>
          <TextInput
            label={t('rules.titleTpl')}
            value={form.title}
            onChange={(e) => set('title', e.currentTarget.value)}
            disabled={!editable}
            required
          />
          <TextInput
            label={t('rules.whatChanged')}
            value={form.what_changed}
            onChange={(e) => set('what_changed', e.currentTarget.value)}
            disabled={!editable}
            required
          />
          <Textarea
            label={t('rules.talkTrack')}
            value={form.talk_track}
            onChange={(e) => set('talk_track', e.currentTarget.value)}
            autosize
            minRows={2}
            disabled={!editable}
            required
          />
          <Grid gutter="sm">
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea
                label={t('rules.cases')}
                value={form.cases}
                onChange={(e) => set('cases', e.currentTarget.value)}
                autosize
                minRows={2}
                disabled={!editable}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 3 }}>
              <TextInput
                label={t('rules.specialist')}
                value={form.specialist}
                onChange={(e) => set('specialist', e.currentTarget.value)}
                disabled={!editable}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 3 }}>
              <NumberInput
                label={t('rules.budget')}
                min={0}
                value={form.budget}
                onChange={(v) => set('budget', v)}
                disabled={!editable}
              />
            </Grid.Col>
          </Grid>
        </Section>
        {editable && (
          <Paper withBorder p="md">
            <Group align="flex-end" wrap="wrap">
              <TextInput
                label={t('rules.changeReason')}
                value={form.change_reason}
                onChange={(e) => set('change_reason', e.currentTarget.value)}
                style={{ flex: 1, minWidth: 200 }}
                name="change_reason"
              />
              <Button
                type="submit"
                loading={save.isPending}
                disabled={!condition || form.signal_types.length === 0}
                data-testid="rule-save"
              >
                {t('rules.saveVersion', { version: rule.current_version + 1 })}
              </Button>
            </Group>
            {save.isError && (
              <Alert color="red" variant="light" mt="sm">
                {save.error instanceof Error ? save.error.message : t('common.error')}
              </Alert>
            )}
          </Paper>
        )}
        <Section title={t('rules.versions')}>
          <Stack gap={2}>
            {[...rule.versions].reverse().map((v) => (
              <Text key={v.version} fz="sm">
                <Badge size="xs" variant={v.version === rule.current_version ? 'filled' : 'light'} mr={6}>
                  v{v.version}
                </Badge>
                {formatDateTime(v.created_at, lang)} · {v.created_by_name ?? '—'}
              </Text>
            ))}
          </Stack>
        </Section>
      </Stack>
    </form>
  );
}

import { Grid, MultiSelect, NumberInput, Select, Switch, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Section } from '../../components/Timeline';
import { type Rule, type RuleDefinition, SEVERITY_ORDER, signalTypeName } from '../../lib/signals';
import type { RuleForm, SetRuleField, SignalTypes } from './useRuleDraft';

/** The rule's name, on/off switch, signal types, window, cooldown and severity. */
export function RuleSettings({
  rule,
  form,
  set,
  types,
  lang,
  editable,
}: {
  rule: Rule;
  form: RuleForm;
  set: SetRuleField;
  types: SignalTypes;
  lang: 'zh-CN' | 'en';
  editable: boolean;
}) {
  const { t } = useTranslation();
  const typeOptions = types.map((ty) => ({ value: ty.key, label: signalTypeName(types, ty.key, lang) }));
  return (
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
  );
}

import { Alert, Badge, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth/auth';
import { Section } from '../../components/Timeline';
import { formatDateTime } from '../../lib/format';
import type { Rule } from '../../lib/signals';
import { RuleConditions } from './RuleConditions';
import { RuleSettings } from './RuleSettings';
import { RuleTalkTrack } from './RuleTalkTrack';
import { type SignalTypes, useRuleDraft } from './useRuleDraft';

/** One rule's editor: settings, conditions, talk track, the save bar (a new version) and the versions so far. */
export function RuleEditor({ rule, types, lang }: { rule: Rule; types: SignalTypes; lang: 'zh-CN' | 'en' }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const editable = can('signals:manage');
  const { form, set, query, setQuery, fields, condition, save } = useRuleDraft(rule, types, lang);
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
        <RuleSettings rule={rule} form={form} set={set} types={types} lang={lang} editable={editable} />
        <RuleConditions
          fields={fields}
          query={query}
          setQuery={setQuery}
          condition={condition}
          lang={lang}
          editable={editable}
        />
        <RuleTalkTrack form={form} set={set} editable={editable} />
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
        <RuleVersions rule={rule} lang={lang} />
      </Stack>
    </form>
  );
}

function RuleVersions({ rule, lang }: { rule: Rule; lang: 'zh-CN' | 'en' }) {
  const { t } = useTranslation();
  return (
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
  );
}

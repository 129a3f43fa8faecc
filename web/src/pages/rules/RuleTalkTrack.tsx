import { Grid, NumberInput, Text, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Section } from '../../components/Timeline';
import type { RuleForm, SetRuleField } from './useRuleDraft';

/** The texts an intervention from this rule carries (title, what changed, talk track) and its resources. */
export function RuleTalkTrack({
  form,
  set,
  editable,
}: {
  form: RuleForm;
  set: SetRuleField;
  editable: boolean;
}) {
  const { t } = useTranslation();
  return (
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
  );
}

import { Button, Group, MultiSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GeneralErrors } from '../admin-shared';
import {
  type EndpointBody,
  type EndpointForm,
  type EventType,
  emptyForm,
  endpointBody,
  parseCondition,
} from './webhooks-lib';

/** The option label of an event name: families (`accounts.*`) in words. */
export function useEventLabel() {
  const { t } = useTranslation();
  return (e: EventType) =>
    e.when ?? (e.name.endsWith('.*') ? t('webhooks.family', { name: e.name.slice(0, -2) }) : '');
}

/**
 * The endpoint form (create and edit): URL, description, events (with when each is sent) and an
 * optional JsonLogic condition checked as JSON before sending. Server reasons show at their field.
 */
export function EndpointFormView({
  initial = emptyForm,
  eventTypes,
  errors = {},
  general = [],
  pending = false,
  submitLabel,
  onSubmit,
}: {
  initial?: EndpointForm;
  eventTypes: EventType[];
  errors?: Record<string, string>;
  general?: string[];
  pending?: boolean;
  submitLabel: string;
  onSubmit: (body: EndpointBody) => void;
}) {
  const { t } = useTranslation();
  const label = useEventLabel();
  const [form, setForm] = useState<EndpointForm>(initial);
  const [conditionError, setConditionError] = useState<string | null>(null);
  const set = (patch: Partial<EndpointForm>) => setForm((f) => ({ ...f, ...patch }));
  const whenOf = new Map(eventTypes.map((e) => [e.name, label(e)]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const c = parseCondition(form.condition);
    if (!c.ok) {
      setConditionError(
        c.error === 'invalid'
          ? t('webhooks.conditionInvalid', { reason: c.reason })
          : t('webhooks.conditionNotObject'),
      );
      return;
    }
    setConditionError(null);
    onSubmit(endpointBody(form, c.value));
  };
  return (
    <form onSubmit={submit} data-testid="webhook-form" noValidate>
      <Stack>
        <GeneralErrors list={general} />
        <TextInput
          name="url"
          label={t('webhooks.url')}
          description={t('webhooks.urlHint')}
          placeholder="https://erp.example.com/hooks/zhongshu"
          required
          value={form.url}
          error={errors.url}
          onChange={(e) => set({ url: e.currentTarget.value })}
        />
        <TextInput
          name="description"
          label={t('webhooks.description')}
          placeholder={t('webhooks.descriptionHint')}
          value={form.description}
          error={errors.description}
          onChange={(e) => set({ description: e.currentTarget.value })}
        />
        <MultiSelect
          name="event_types"
          label={t('webhooks.eventTypes')}
          description={t('webhooks.eventTypesHint')}
          placeholder={form.event_types.length ? undefined : t('webhooks.eventTypesPlaceholder')}
          data={eventTypes.map((e) => ({ value: e.name, label: e.name }))}
          value={form.event_types}
          onChange={(v) => set({ event_types: v })}
          error={errors.event_types}
          searchable
          clearable
          hidePickedOptions
          maxDropdownHeight={320}
          comboboxProps={{ withinPortal: true }}
          renderOption={({ option }) => (
            <Stack gap={0}>
              <Text fz="sm" ff="monospace">
                {option.value}
              </Text>
              {whenOf.get(option.value) && (
                <Text fz="xs" c="dimmed">
                  {whenOf.get(option.value)}
                </Text>
              )}
            </Stack>
          )}
        />
        <Textarea
          name="condition"
          label={t('webhooks.condition')}
          description={t('webhooks.conditionHint')}
          placeholder='{"==": [{"var": "data.record.industry"}, "制造业"]}'
          autosize
          minRows={3}
          maxRows={12}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={form.condition}
          error={conditionError ?? errors.condition}
          onChange={(e) => {
            set({ condition: e.currentTarget.value });
            setConditionError(null);
          }}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={pending} data-testid="webhook-submit">
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

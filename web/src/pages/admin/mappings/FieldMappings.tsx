import { ActionIcon, Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Lang } from '../../../lib/format';
import { errorsAt, type MappingError, showValue, type TargetField } from './mappings-lib';

export interface Caret {
  start: number;
  end: number;
}

/**
 * One expression input per target field, with the value the preview computed under it and the
 * field's errors in red at the field. Signals group the subject fields and take free `payload.<key>` rows.
 */
export function FieldMappings({
  fields,
  expressions,
  values,
  errors,
  lang,
  selected,
  onSelect,
  onChange,
  readOnly,
}: {
  fields: TargetField[];
  expressions: Record<string, string>;
  /** The preview's values; null until the first preview answered. */
  values: Record<string, unknown> | null;
  errors: readonly MappingError[];
  lang: Lang;
  selected: string | null;
  onSelect: (field: string, caret: Caret | null) => void;
  onChange: (field: string, expression: string | null) => void;
  readOnly?: boolean;
}) {
  const { t } = useTranslation();
  const [newKey, setNewKey] = useState('');
  const open = fields.find((f) => f.open);
  const payloadKeys = open ? Object.keys(expressions).filter((k) => k.startsWith(`${open.key}.`)) : [];
  const plain = fields.filter((f) => !f.group);
  const grouped = fields.filter((f) => f.group);

  const input = (key: string, label: string, required: boolean, removable = false) => {
    const errs = errorsAt(errors, key);
    const value = values?.[key];
    const caretOf = (el: HTMLInputElement): Caret => ({
      start: el.selectionStart ?? el.value.length,
      end: el.selectionEnd ?? el.value.length,
    });
    return (
      <TextInput
        key={key}
        label={
          <Group gap={6} component="span" wrap="nowrap">
            <span>{label}</span>
            {required && (
              <Badge size="xs" variant="light" color="gray">
                {t('mappings.required')}
              </Badge>
            )}
            {selected === key && (
              <Badge size="xs" variant="light">
                ✎
              </Badge>
            )}
          </Group>
        }
        ff="monospace"
        value={expressions[key] ?? ''}
        readOnly={readOnly}
        data-field={key}
        aria-invalid={errs.length > 0}
        onFocus={(e) => onSelect(key, caretOf(e.currentTarget))}
        onSelect={(e) => onSelect(key, caretOf(e.currentTarget))}
        onChange={(e) => {
          onChange(key, e.currentTarget.value);
          onSelect(key, caretOf(e.currentTarget));
        }}
        rightSection={
          removable && !readOnly ? (
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={t('mappings.delete')}
              onClick={() => onChange(key, null)}
            >
              ×
            </ActionIcon>
          ) : undefined
        }
        error={errs.length ? errs.map((e) => e.reason).join('；') : undefined}
        description={
          values && (expressions[key] ?? '').trim() && !errs.length ? (
            <Text span fz="xs" c={value === undefined ? 'dimmed' : 'teal'} data-testid={`value-${key}`}>
              {value === undefined ? t('mappings.noValue') : `= ${showValue(value)}`}
            </Text>
          ) : undefined
        }
      />
    );
  };

  const labelOf = (f: TargetField) => f.label[lang] ?? f.key;
  return (
    <Stack gap="sm">
      {plain.filter((f) => !f.open).map((f) => input(f.key, labelOf(f), f.required))}
      {grouped.length > 0 && (
        <Stack
          gap="xs"
          p="sm"
          style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }}
        >
          <Text fz="sm" fw={600}>
            {t('mappings.subjectGroup')}
          </Text>
          {grouped.map((f) => input(f.key, labelOf(f), false))}
        </Stack>
      )}
      {open && (
        <Stack gap="xs">
          {input(open.key, labelOf(open), false)}
          {payloadKeys.map((k) =>
            input(k, `${labelOf(open)} · ${k.slice(open.key.length + 1)}`, false, true),
          )}
          {!readOnly && (
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <TextInput
                size="xs"
                label={t('mappings.payloadKey')}
                value={newKey}
                onChange={(e) => setNewKey(e.currentTarget.value.replace(/[^A-Za-z0-9_]/g, ''))}
                style={{ flex: 1 }}
              />
              <Button
                size="xs"
                variant="light"
                disabled={!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newKey)}
                onClick={() => {
                  onChange(`${open.key}.${newKey}`, '');
                  onSelect(`${open.key}.${newKey}`, null);
                  setNewKey('');
                }}
              >
                {t('mappings.addPayloadKey')}
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Stack>
  );
}

import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { type Duplicate, duplicateQuery, type MergeEntity, reasonsText, useDuplicates } from './merge-lib';

/**
 * While an account or contact is being created: a calm notice when it may already exist, with
 * "open the existing one" and "create anyway". Never blocks creating.
 */
export function DuplicateAlert({
  entity,
  values,
  onOpen,
}: {
  entity: MergeEntity;
  values: Record<string, unknown>;
  /** called before going to the existing record (e.g. to close the create dialog) */
  onOpen?: () => void;
}) {
  const navigate = useNavigate();
  const query = useMemo(() => duplicateQuery(entity, values), [entity, values]);
  const [debounced] = useDebouncedValue(query, 400);
  const dups = useDuplicates(entity, debounced);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  // a failed or pending check shows nothing: the warning is a help, not a gate
  const shown = (query ? (dups.data ?? []) : []).filter((d) => !dismissed.has(d.id));
  return (
    <DuplicateAlertView
      entity={entity}
      duplicates={shown}
      onOpen={(d) => {
        onOpen?.();
        navigate(`/${entity}/${d.id}`);
      }}
      onContinue={() => setDismissed(new Set([...dismissed, ...shown.map((d) => d.id)]))}
    />
  );
}

export function DuplicateAlertView({
  entity,
  duplicates,
  onOpen,
  onContinue,
}: {
  entity: MergeEntity;
  duplicates: readonly Duplicate[];
  onOpen: (d: Duplicate) => void;
  onContinue: () => void;
}) {
  const { t } = useTranslation();
  const best = duplicates[0];
  if (!best) return null;
  const others = duplicates.slice(1, 4);
  const reasons = reasonsText(t, best.reasons);
  return (
    <Alert color="yellow" variant="light" data-testid="duplicate-alert" aria-live="polite">
      <Stack gap={6}>
        <Text fz="sm" fw={600} data-testid="duplicate-title">
          {duplicates.length > 1
            ? t('merge.duplicate.titleMany', { name: best.name, reasons, count: duplicates.length })
            : t('merge.duplicate.title', { name: best.name, reasons })}
        </Text>
        <Text fz="sm" c="dimmed">
          {entity === 'accounts' ? t('merge.duplicate.hintAccounts') : t('merge.duplicate.hintContacts')}
        </Text>
        {others.length > 0 && (
          <Text fz="xs" c="dimmed">
            {t('merge.duplicate.others')}
            {others.map((d, i) => (
              <span key={d.id}>
                {i > 0 && t('merge.duplicate.reasonSep')}
                <Anchor component="button" type="button" fz="xs" onClick={() => onOpen(d)}>
                  {d.name}
                </Anchor>
              </span>
            ))}
          </Text>
        )}
        <Group gap="xs" mt={4}>
          <Button
            size="xs"
            variant="light"
            color="yellow"
            onClick={() => onOpen(best)}
            data-testid="duplicate-open"
          >
            {entity === 'accounts' ? t('merge.duplicate.openAccounts') : t('merge.duplicate.openContacts')}
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="gray"
            onClick={onContinue}
            data-testid="duplicate-continue"
          >
            {t('merge.duplicate.continue')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

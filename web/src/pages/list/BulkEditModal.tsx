import { Button, Group, Modal, Select, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FieldInput } from '../../components/inputs';
import { api } from '../../lib/api';
import { type Entity, FORM_FIELDS, toApiValue } from '../../lib/fields';

/** Sets one field on every selected record (four PATCHes at a time). */
export function BulkEditModal({
  entity,
  opened,
  onClose,
  ids,
  onDone,
}: {
  entity: Entity;
  opened: boolean;
  onClose: () => void;
  ids: string[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const fields = FORM_FIELDS[entity].filter((f) => f.bulk);
  const [field, setField] = useState<string | null>(fields[0]?.name ?? null);
  const [value, setValue] = useState<unknown>('');
  const [busy, setBusy] = useState(false);
  const def = fields.find((f) => f.name === field);

  async function apply() {
    if (!def) return;
    setBusy(true);
    const body = { [def.name]: toApiValue(def.type, value) };
    let ok = 0;
    let failed = 0;
    const queue = [...ids];
    await Promise.all(
      Array.from({ length: Math.min(4, queue.length) }, async () => {
        while (queue.length) {
          const id = queue.shift()!;
          try {
            await api(`/${entity}/${id}`, { method: 'PATCH', body });
            ok++;
          } catch {
            failed++;
          }
        }
      }),
    );
    setBusy(false);
    notifications.show({ color: failed ? 'orange' : 'green', message: t('common.bulkDone', { ok, failed }) });
    onDone();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t('common.bulkEditTitle', { count: ids.length })}>
      <Stack>
        <Select
          label={t('common.bulkField')}
          value={field}
          onChange={(v) => {
            setField(v);
            setValue('');
          }}
          data={fields.map((f) => ({ value: f.name, label: t(`fields.${f.name}`) }))}
        />
        {def && (
          <FieldInput
            key={def.name}
            def={{ ...def, required: false }}
            value={value}
            onChange={setValue}
            values={{}}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button onClick={apply} loading={busy} data-testid="bulk-apply">
            {t('common.apply')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

import 'react-querybuilder/dist/query-builder.css';
import { Badge, Button, Group, Modal, Paper, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { useLang } from '../../lib/hooks';
import { GeneralErrors, useFormErrors } from './admin-shared';
import { MappingEditor } from './mappings/MappingEditor';
import { type Mapping, mappingKeys, type Target } from './mappings/mappings-lib';

/**
 * Admin → Mappings (`mappings:manage`): the mapping definitions and, opened, one mapping's editor
 * (sample + field picker, expressions with live preview, trigger, activate, test run, versions, runs).
 */
export function MappingsTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: mappingKeys.list,
    queryFn: () => request('get', '/mappings', { query: { limit: 200 } }).then((r) => r.data),
  });
  const targets = useQuery({
    queryKey: mappingKeys.targets,
    queryFn: () => request('get', '/mappings/targets').then((r) => r.data),
    staleTime: 10 * 60_000,
  });
  const sources = useQuery({
    queryKey: mappingKeys.sources,
    queryFn: () => request('get', '/signal-sources').then((r) => r.data),
    staleTime: 60_000,
  });
  const one = useQuery({
    queryKey: mappingKeys.one(openId ?? ''),
    queryFn: () => request('get', '/mappings/{id}', { path: { id: openId ?? '' } }),
    enabled: openId !== null,
  });

  if (openId) {
    if (one.isLoading || targets.isLoading) return <Loading />;
    if (one.error || targets.error)
      return <ErrorState error={one.error ?? targets.error} onRetry={() => one.refetch()} />;
    const target = targets.data?.find((x) => x.target === one.data?.target);
    if (!one.data || !target) return <Loading />;
    // Keyed by the definition's state so a saved/activated definition re-seeds the editor.
    return (
      <MappingEditor
        key={`${one.data.id}-${one.data.target}`}
        mapping={one.data}
        target={target}
        onBack={() => setOpenId(null)}
      />
    );
  }

  const sourceName = (id: string | null) => sources.data?.find((s) => s.id === id)?.name ?? null;
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text fz="sm" c="dimmed" maw={720}>
          {t('mappings.intro')}
        </Text>
        <Button onClick={() => setCreating(true)}>{t('mappings.new')}</Button>
      </Group>
      {list.isLoading ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : !list.data?.length ? (
        <Empty text={t('mappings.empty')} />
      ) : (
        <Stack gap="xs" data-testid="mapping-list">
          {list.data.map((m) => (
            <Paper key={m.id} withBorder p="sm">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Group gap="xs" wrap="wrap">
                    <Text fw={600}>{m.name}</Text>
                    <Badge variant="light" color="gray">
                      {t(`mappings.targets.${m.target}`)}
                    </Badge>
                    {m.active_version ? (
                      <Badge color="teal">{t('mappings.active', { version: m.active_version })}</Badge>
                    ) : (
                      <Badge color="yellow" variant="light">
                        {t('mappings.draft')}
                      </Badge>
                    )}
                  </Group>
                  <Text fz="xs" c="dimmed">
                    {[sourceName(m.source_id), formatDateTime(m.updated_at, lang)]
                      .filter(Boolean)
                      .join(' · ')}
                  </Text>
                </Stack>
                <Button size="xs" variant="light" onClick={() => setOpenId(m.id)} data-testid="mapping-open">
                  {t('mappings.edit')}
                </Button>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}
      <CreateMapping
        opened={creating}
        onClose={() => setCreating(false)}
        sources={(sources.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.key})` }))}
        onCreated={(m) => {
          setCreating(false);
          setOpenId(m.id);
        }}
      />
    </Stack>
  );
}

function CreateMapping({
  opened,
  onClose,
  sources,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  sources: { value: string; label: string }[];
  onCreated: (m: Mapping) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [target, setTarget] = useState<Target>('signal');
  const [sourceId, setSourceId] = useState<string | null>(null);
  const form = useFormErrors(['name', 'target', 'source_id', 'description']);
  const create = useMutation({
    mutationFn: () =>
      request('post', '/mappings', {
        body: { name, description: description || null, target, source_id: sourceId },
      }),
    onSuccess: (m) => {
      qc.invalidateQueries({ queryKey: mappingKeys.all });
      setName('');
      setDescription('');
      setSourceId(null);
      form.clear();
      onCreated(m);
    },
    onError: form.fromError,
  });
  const targetOptions: Target[] = ['signal', 'accounts', 'contacts', 'opportunities', 'activities'];
  return (
    <Modal opened={opened} onClose={onClose} title={t('mappings.new')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack gap="sm">
          <GeneralErrors list={form.general} />
          <TextInput
            label={t('mappings.name')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={form.errors.name}
          />
          <Select
            label={t('mappings.target')}
            data={targetOptions.map((x) => ({ value: x, label: t(`mappings.targets.${x}`) }))}
            value={target}
            onChange={(v) => {
              const picked = targetOptions.find((x) => x === v);
              if (picked) setTarget(picked);
            }}
            allowDeselect={false}
            error={form.errors.target}
          />
          <Select
            label={t('mappings.source')}
            description={t('mappings.sourceHint')}
            placeholder={t('mappings.sourceNone')}
            data={sources}
            value={sourceId}
            onChange={setSourceId}
            clearable
            error={form.errors.source_id}
          />
          <Textarea
            label={t('mappings.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('mappings.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              {t('mappings.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

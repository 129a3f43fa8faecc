import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth/auth';
import { SharingDefaultsTab } from '../components/SharingDefaults';
import { Empty, ErrorState, Loading } from '../components/States';
import { request } from '../lib/api';
import type { ApiBody } from '../lib/api-types';
import { formatDateTime, sortByName } from '../lib/format';
import { fieldLabel, useLang, usePipelines, useUsers } from '../lib/hooks';
import { ApiError, problemToFieldErrors } from '../lib/problem';
import { queryKeys } from '../lib/query-keys';
import { ROLES, type Stage } from '../lib/types';

const TABS = ['users', 'fields', 'pipelines', 'sharing', 'keys'] as const;

export default function AdminPage() {
  const { t } = useTranslation();
  const { tab } = useParams();
  const navigate = useNavigate();
  const { can } = useAuth();
  const active = TABS.includes(tab as any) ? tab! : 'users';
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('admin.title')}
      </Title>
      {!can('settings:manage') && <Alert color="yellow">{t('admin.noAccess')}</Alert>}
      <Tabs value={active} onChange={(v) => navigate(`/admin/${v}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="users">{t('admin.users')}</Tabs.Tab>
          <Tabs.Tab value="fields">{t('admin.customFields')}</Tabs.Tab>
          <Tabs.Tab value="pipelines">{t('admin.pipelines')}</Tabs.Tab>
          {can('settings:manage') && <Tabs.Tab value="sharing">{t('sharing.tab')}</Tabs.Tab>}
          <Tabs.Tab value="keys">{t('admin.apiKeys')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="users" pt="md">
          <UsersTab />
        </Tabs.Panel>
        <Tabs.Panel value="fields" pt="md">
          <CustomFieldsTab />
        </Tabs.Panel>
        <Tabs.Panel value="pipelines" pt="md">
          <PipelinesTab />
        </Tabs.Panel>
        <Tabs.Panel value="sharing" pt="md">
          <SharingDefaultsTab />
        </Tabs.Panel>
        <Tabs.Panel value="keys" pt="md">
          <ApiKeysTab />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function useFormErrors(known: string[]) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  return {
    errors,
    general,
    clear: () => {
      setErrors({});
      setGeneral([]);
    },
    fromError: (e: unknown) => {
      if (e instanceof ApiError) {
        const m = problemToFieldErrors(e.problem, known);
        setErrors(m.fields);
        setGeneral(m.general);
      } else setGeneral([String(e)]);
    },
  };
}

function GeneralErrors({ list }: { list: string[] }) {
  if (!list.length) return null;
  return (
    <Alert color="red" role="alert">
      {list.map((g) => (
        <div key={g}>{g}</div>
      ))}
    </Alert>
  );
}

function Tbl({ head, children }: { head: ReactNode[]; children: ReactNode }) {
  return (
    <Paper withBorder className="zs-table-wrap">
      <Table>
        <Table.Thead>
          <Table.Tr>
            {head.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: static header cells
              <Table.Th key={i}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Paper>
  );
}

function UsersTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const users = useUsers();
  const [open, modal] = useDisclosure(false);
  const [form, setForm] = useState({ name: '', email: '', role: 'rep', password: '' });
  const fe = useFormErrors(['name', 'email', 'role', 'password']);
  const create = useMutation({
    mutationFn: () => request('post', '/users', { body: form as ApiBody<'/users', 'post'> }),
    onSuccess: () => {
      modal.close();
      fe.clear();
      setForm({ name: '', email: '', role: 'rep', password: '' });
      void qc.invalidateQueries({ queryKey: queryKeys.lookup.users });
      notifications.show({ color: 'green', message: t('common.created') });
    },
    onError: fe.fromError,
  });
  const patch = async (id: string, body: Record<string, unknown>) => {
    try {
      await request('patch', '/users/{id}', { path: { id }, body });
      void qc.invalidateQueries({ queryKey: queryKeys.lookup.users });
      notifications.show({ color: 'green', message: t('common.saved') });
    } catch (e) {
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
    }
  };
  if (users.isPending) return <Loading />;
  if (users.isError) return <ErrorState error={users.error} onRetry={() => users.refetch()} />;
  const roleData = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={modal.open}>{t('admin.newUser')}</Button>
      </Group>
      <Tbl head={[t('fields.name'), t('fields.email'), t('fields.role'), t('fields.active')]}>
        {sortByName(users.data, (u) => u.name, lang).map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td>{u.name}</Table.Td>
            <Table.Td>{u.email}</Table.Td>
            <Table.Td>
              <Select
                size="xs"
                w={170}
                aria-label={t('fields.role')}
                value={u.role}
                allowDeselect={false}
                data={roleData}
                onChange={(v) => v && patch(u.id, { role: v })}
              />
            </Table.Td>
            <Table.Td>
              <Checkbox
                aria-label={t('fields.active')}
                checked={u.active}
                onChange={(e) => patch(u.id, { active: e.currentTarget.checked })}
              />
            </Table.Td>
          </Table.Tr>
        ))}
      </Tbl>
      <Modal opened={open} onClose={modal.close} title={t('admin.newUser')}>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <GeneralErrors list={fe.general} />
            <TextInput
              label={t('fields.name')}
              required
              value={form.name}
              error={fe.errors.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
            <TextInput
              label={t('fields.email')}
              required
              value={form.email}
              error={fe.errors.email}
              onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
            />
            <Select
              label={t('fields.role')}
              value={form.role}
              data={roleData}
              allowDeselect={false}
              error={fe.errors.role}
              onChange={(v) => setForm({ ...form, role: v ?? 'rep' })}
            />
            <PasswordInput
              label={t('fields.password')}
              required
              value={form.password}
              error={fe.errors.password}
              onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending}>
                {t('common.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function CustomFieldsTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: queryKeys.customFields.everyEntity,
    queryFn: () => request('get', '/custom-fields', { query: { limit: 500 } }).then((r) => r.data),
  });
  const [open, modal] = useDisclosure(false);
  const blank = {
    entity: 'accounts',
    key: '',
    label: '',
    label_en: '',
    type: 'text',
    options: '',
    required: false,
  };
  const [form, setForm] = useState(blank);
  const fe = useFormErrors(['entity', 'key', 'label', 'label_en', 'type', 'options', 'required']);
  const create = useMutation({
    mutationFn: () =>
      request('post', '/custom-fields', {
        body: {
          ...form,
          label_en: form.label_en || null,
          options: form.options
            .split(/[,，]/)
            .map((s) => s.trim())
            .filter(Boolean),
        } as ApiBody<'/custom-fields', 'post'>,
      }),
    onSuccess: () => {
      modal.close();
      fe.clear();
      setForm(blank);
      void qc.invalidateQueries({ queryKey: queryKeys.customFields.all });
      notifications.show({ color: 'green', message: t('common.created') });
    },
    onError: fe.fromError,
  });
  const remove = async (id: string) => {
    if (!window.confirm(t('common.confirmDelete'))) return;
    try {
      await request('delete', '/custom-fields/{id}', { path: { id } });
      void qc.invalidateQueries({ queryKey: queryKeys.customFields.all });
    } catch (e) {
      notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') });
    }
  };
  if (list.isPending) return <Loading />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={modal.open}>{t('admin.newField')}</Button>
      </Group>
      {list.data.length === 0 ? (
        <Empty />
      ) : (
        <Tbl
          head={[
            t('fields.entity'),
            t('fields.key'),
            t('fields.label'),
            t('fields.type'),
            t('fields.options'),
            t('fields.required'),
            '',
          ]}
        >
          {list.data.map((cf) => (
            <Table.Tr key={cf.id}>
              <Table.Td>{t(`entities.${cf.entity}`)}</Table.Td>
              <Table.Td>
                <Code>{cf.key}</Code>
              </Table.Td>
              <Table.Td>{fieldLabel(cf, lang)}</Table.Td>
              <Table.Td>{t(`cfType.${cf.type}`)}</Table.Td>
              <Table.Td>{cf.options.join(', ')}</Table.Td>
              <Table.Td>{cf.required ? t('common.yes') : t('common.no')}</Table.Td>
              <Table.Td>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t('common.delete')}
                  onClick={() => remove(cf.id)}
                >
                  ×
                </ActionIcon>
              </Table.Td>
            </Table.Tr>
          ))}
        </Tbl>
      )}
      <Modal opened={open} onClose={modal.close} title={t('admin.newField')}>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <GeneralErrors list={fe.general} />
            <Select
              label={t('fields.entity')}
              value={form.entity}
              allowDeselect={false}
              error={fe.errors.entity}
              onChange={(v) => setForm({ ...form, entity: v ?? 'accounts' })}
              data={['accounts', 'contacts', 'opportunities', 'activities', 'products'].map((e) => ({
                value: e,
                label: t(`entities.${e}`),
              }))}
            />
            <TextInput
              label={t('fields.key')}
              required
              value={form.key}
              error={fe.errors.key}
              onChange={(e) => setForm({ ...form, key: e.currentTarget.value })}
            />
            <TextInput
              label={t('fields.label')}
              required
              value={form.label}
              error={fe.errors.label}
              onChange={(e) => setForm({ ...form, label: e.currentTarget.value })}
            />
            <TextInput
              label={t('fields.label_en')}
              value={form.label_en}
              error={fe.errors.label_en}
              onChange={(e) => setForm({ ...form, label_en: e.currentTarget.value })}
            />
            <Select
              label={t('fields.type')}
              value={form.type}
              allowDeselect={false}
              error={fe.errors.type}
              onChange={(v) => setForm({ ...form, type: v ?? 'text' })}
              data={['text', 'number', 'date', 'boolean', 'select', 'multiselect'].map((x) => ({
                value: x,
                label: t(`cfType.${x}`),
              }))}
            />
            {(form.type === 'select' || form.type === 'multiselect') && (
              <TextInput
                label={t('fields.options')}
                description={t('admin.optionsHint')}
                value={form.options}
                error={fe.errors.options}
                onChange={(e) => setForm({ ...form, options: e.currentTarget.value })}
              />
            )}
            <Checkbox
              label={t('fields.required')}
              checked={form.required}
              onChange={(e) => setForm({ ...form, required: e.currentTarget.checked })}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending}>
                {t('common.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function PipelinesTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const pipelines = usePipelines();
  const [pid, setPid] = useState<string | null>(null);
  const current =
    pipelines.data?.find((p) => p.id === pid) ??
    pipelines.data?.find((p) => p.is_default) ??
    pipelines.data?.[0];
  const [stages, setStages] = useState<Stage[]>([]);
  const fe = useFormErrors(['stages', 'name']);
  useEffect(() => {
    if (current) setStages(current.stages.map((s) => ({ ...s })));
  }, [current]);
  const save = useMutation({
    mutationFn: () => request('patch', '/pipelines/{id}', { path: { id: current!.id }, body: { stages } }),
    onSuccess: () => {
      fe.clear();
      void qc.invalidateQueries({ queryKey: queryKeys.pipelines.all });
      notifications.show({ color: 'green', message: t('common.saved') });
    },
    onError: fe.fromError,
  });
  if (pipelines.isPending) return <Loading />;
  if (pipelines.isError) return <ErrorState error={pipelines.error} onRetry={() => pipelines.refetch()} />;
  if (!current) return <Empty />;
  const upd = (i: number, patch: Partial<Stage>) =>
    setStages((s) => s.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const swap = (i: number, j: number) =>
    setStages((s) => {
      if (j < 0 || j >= s.length) return s;
      const n = [...s];
      [n[i], n[j]] = [n[j]!, n[i]!];
      return n;
    });
  return (
    <Stack>
      <Select
        w={260}
        label={t('board.pipeline')}
        value={current.id}
        allowDeselect={false}
        onChange={setPid}
        data={pipelines.data.map((p) => ({ value: p.id, label: p.name }))}
      />
      <Text fz="xs" c="dimmed">
        {t('admin.stageKinds')}
      </Text>
      <GeneralErrors list={fe.general} />
      {fe.errors.stages && <Alert color="red">{fe.errors.stages}</Alert>}
      <Tbl
        head={[
          '',
          t('admin.stageKey'),
          t('admin.stageName'),
          t('admin.stageNameEn'),
          t('fields.probability'),
          t('fields.kind'),
          '',
        ]}
      >
        {stages.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: stage rows are edited in place, keys can change while typing
          <Table.Tr key={i}>
            <Table.Td>
              <Group gap={2} wrap="nowrap">
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  aria-label={t('admin.moveUp')}
                  onClick={() => swap(i, i - 1)}
                >
                  ↑
                </ActionIcon>
                <ActionIcon
                  size="sm"
                  variant="subtle"
                  aria-label={t('admin.moveDown')}
                  onClick={() => swap(i, i + 1)}
                >
                  ↓
                </ActionIcon>
              </Group>
            </Table.Td>
            <Table.Td>
              <TextInput
                size="xs"
                w={110}
                aria-label={t('admin.stageKey')}
                value={s.key}
                onChange={(e) => upd(i, { key: e.currentTarget.value })}
              />
            </Table.Td>
            <Table.Td>
              <TextInput
                size="xs"
                w={130}
                aria-label={t('admin.stageName')}
                value={s.name}
                onChange={(e) => upd(i, { name: e.currentTarget.value })}
              />
            </Table.Td>
            <Table.Td>
              <TextInput
                size="xs"
                w={150}
                aria-label={t('admin.stageNameEn')}
                value={s.name_en ?? ''}
                onChange={(e) => upd(i, { name_en: e.currentTarget.value })}
              />
            </Table.Td>
            <Table.Td>
              <NumberInput
                size="xs"
                w={80}
                min={0}
                max={100}
                suffix="%"
                aria-label={t('fields.probability')}
                value={s.probability}
                onChange={(v) => upd(i, { probability: Number(v) || 0 })}
              />
            </Table.Td>
            <Table.Td>
              <Select
                size="xs"
                w={100}
                aria-label={t('fields.kind')}
                value={s.kind}
                allowDeselect={false}
                data={['open', 'won', 'lost']}
                onChange={(v) => upd(i, { kind: (v ?? 'open') as Stage['kind'] })}
              />
            </Table.Td>
            <Table.Td>
              <ActionIcon
                variant="subtle"
                color="red"
                aria-label={t('admin.removeStage')}
                onClick={() => setStages((x) => x.filter((_, j) => j !== i))}
              >
                ×
              </ActionIcon>
            </Table.Td>
          </Table.Tr>
        ))}
      </Tbl>
      <Group justify="space-between">
        <Button
          variant="default"
          onClick={() =>
            setStages((s) => [
              ...s,
              { key: `stage_${s.length + 1}`, name: '', name_en: '', probability: 10, kind: 'open' },
            ])
          }
        >
          {t('admin.addStage')}
        </Button>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          {t('common.save')}
        </Button>
      </Group>
    </Stack>
  );
}

function ApiKeysTab() {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  const keys = useQuery({
    queryKey: queryKeys.apiKeys.all,
    queryFn: () => request('get', '/api-keys').then((r) => r.data),
  });
  const [open, modal] = useDisclosure(false);
  const [name, setName] = useState('');
  const [role, setRole] = useState('rep');
  const [shown, setShown] = useState<string | null>(null);
  const fe = useFormErrors(['name', 'role', 'scopes']);
  const create = useMutation({
    mutationFn: () =>
      request('post', '/api-keys', { body: { name, role: role as ApiBody<'/api-keys', 'post'>['role'] } }),
    onSuccess: (k) => {
      setShown(k.key);
      setName('');
      fe.clear();
      void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
    },
    onError: fe.fromError,
  });
  const revoke = async (id: string) => {
    if (!window.confirm(t('common.confirmDelete'))) return;
    await request('delete', '/api-keys/{id}', { path: { id } }).catch(() => undefined);
    void qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
  };
  if (keys.isPending) return <Loading />;
  if (keys.isError) return <ErrorState error={keys.error} onRetry={() => keys.refetch()} />;
  return (
    <Stack>
      <Group justify="flex-end">
        <Button
          onClick={() => {
            setShown(null);
            modal.open();
          }}
        >
          {t('admin.newKey')}
        </Button>
      </Group>
      {keys.data.length === 0 ? (
        <Empty />
      ) : (
        <Tbl
          head={[
            t('fields.name'),
            t('fields.prefix'),
            t('fields.role'),
            t('fields.created_at'),
            t('fields.last_used_at'),
            '',
          ]}
        >
          {keys.data.map((k) => (
            <Table.Tr key={k.id} opacity={k.revoked_at ? 0.5 : 1}>
              <Table.Td>{k.name}</Table.Td>
              <Table.Td>
                <Code>{k.prefix}…</Code>
              </Table.Td>
              <Table.Td>{t(`roles.${k.role}`)}</Table.Td>
              <Table.Td>{formatDateTime(k.created_at, lang)}</Table.Td>
              <Table.Td>{formatDateTime(k.last_used_at, lang)}</Table.Td>
              <Table.Td>
                {k.revoked_at ? (
                  <Badge color="gray">{t('admin.revoked')}</Badge>
                ) : (
                  <Button size="xs" variant="subtle" color="red" onClick={() => revoke(k.id)}>
                    {t('admin.revoke')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Tbl>
      )}
      <Modal opened={open} onClose={modal.close} title={t('admin.newKey')}>
        {shown ? (
          <Stack>
            <Alert color="yellow">{t('admin.keyOnce')}</Alert>
            <Code block data-testid="api-key-once">
              {shown}
            </Code>
            <Group justify="flex-end">
              <CopyButton value={shown}>
                {({ copied, copy }) => (
                  <Button onClick={copy}>{copied ? t('admin.copied') : t('admin.copy')}</Button>
                )}
              </CopyButton>
              <Button variant="default" onClick={modal.close}>
                {t('common.close')}
              </Button>
            </Group>
          </Stack>
        ) : (
          <form
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              create.mutate();
            }}
          >
            <Stack>
              <GeneralErrors list={fe.general} />
              <TextInput
                label={t('fields.name')}
                required
                value={name}
                error={fe.errors.name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Select
                label={t('fields.role')}
                value={role}
                allowDeselect={false}
                onChange={(v) => setRole(v ?? 'rep')}
                data={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              />
              <Group justify="flex-end">
                <Button type="submit" loading={create.isPending}>
                  {t('common.create')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Stack>
  );
}

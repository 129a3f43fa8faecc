import {
  Alert,
  Badge,
  Button,
  Divider,
  Drawer,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, sortByName } from '../lib/format';
import { useLang, useTeams, useUsers } from '../lib/hooks';
import { ApiError } from '../lib/problem';
import {
  type NewShare,
  type Share,
  type ShareAccess,
  type ShareableEntity,
  type ShareSubjectType,
  shareErrors,
  useAddShare,
  useRemoveShare,
  useShares,
} from '../lib/sharing';
import { Empty, ErrorState, Loading } from './States';

interface Option {
  value: string;
  label: string;
}

/**
 * "Share" button for an account or opportunity page: opens a drawer (full width on a phone) with
 * the record's shares. Hidden when the server does not offer shares for this record (the list
 * cannot be read); read-only when the caller may not manage them (can_manage false).
 */
export function ShareButton({ entity, id, name }: { entity: ShareableEntity; id: string; name: string }) {
  const { t } = useTranslation();
  const [opened, drawer] = useDisclosure(false);
  const phone = useMediaQuery('(max-width: 36em)');
  const shares = useShares(entity, id);
  if (shares.isError && !opened) return null;
  const count = shares.data?.data.length ?? 0;
  return (
    <>
      <Button
        variant="default"
        onClick={drawer.open}
        disabled={shares.isPending}
        data-testid="share-open"
        data-count={count}
      >
        {count > 0 ? t('sharing.shareWithCount', { count }) : t('sharing.share')}
      </Button>
      <Drawer
        opened={opened}
        onClose={drawer.close}
        position="right"
        size={phone ? '100%' : 'md'}
        title={t('sharing.dialogTitle', { name })}
        data-testid="share-drawer"
      >
        {shares.isPending ? (
          <Loading />
        ) : shares.isError ? (
          <ErrorState error={shares.error} onRetry={() => shares.refetch()} />
        ) : (
          <ShareManager
            entity={entity}
            id={id}
            shares={shares.data.data}
            canManage={shares.data.can_manage}
          />
        )}
      </Drawer>
    </>
  );
}

function ShareManager({
  entity,
  id,
  shares,
  canManage,
}: {
  entity: ShareableEntity;
  id: string;
  shares: Share[];
  canManage: boolean;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const users = useUsers();
  const teams = useTeams();
  const add = useAddShare(entity, id);
  const remove = useRemoveShare(entity, id);
  const [errors, setErrors] = useState<{ fields: Record<string, string>; general: string[] }>({
    fields: {},
    general: [],
  });
  const [formKey, setFormKey] = useState(0);
  const taken = new Set(shares.map((s) => `${s.subject_type}:${s.subject_id}`));
  const userOptions = sortByName(
    (users.data ?? []).filter((u) => u.active && !taken.has(`user:${u.id}`)),
    (u) => u.name,
    lang,
  ).map((u) => ({ value: u.id, label: u.name }));
  const teamOptions = sortByName(
    (teams.data ?? []).filter((x) => !taken.has(`team:${x.id}`)),
    (x) => x.name,
    lang,
  ).map((x) => ({ value: x.id, label: x.name }));
  return (
    <ShareManagerView
      shares={shares}
      canManage={canManage}
      userOptions={userOptions}
      teamOptions={teamOptions}
      adding={add.isPending}
      removing={remove.isPending ? remove.variables : undefined}
      fieldErrors={errors.fields}
      general={errors.general}
      formKey={formKey}
      onAdd={(body) => {
        setErrors({ fields: {}, general: [] });
        add.mutate(body, {
          onSuccess: (share) => {
            setFormKey((k) => k + 1);
            notifications.show({
              color: 'green',
              message: t('sharing.added', {
                name:
                  share?.subject_name ??
                  [...userOptions, ...teamOptions].find((o) => o.value === body.subject_id)?.label ??
                  '',
              }),
            });
          },
          onError: (e) =>
            setErrors(e instanceof ApiError ? shareErrors(e.problem) : { fields: {}, general: [String(e)] }),
        });
      }}
      onChangeAccess={(share, access) =>
        add.mutate(
          { subject_type: share.subject_type, subject_id: share.subject_id, access },
          {
            onSuccess: () =>
              notifications.show({
                color: 'green',
                message: t('sharing.accessChanged', { name: share.subject_name ?? '' }),
              }),
            onError: (e) =>
              notifications.show({
                color: 'red',
                message: e instanceof Error ? e.message : t('common.error'),
              }),
          },
        )
      }
      onRemove={(share) =>
        remove.mutate(share.id, {
          onSuccess: () =>
            notifications.show({
              color: 'green',
              message: t('sharing.removed', { name: share.subject_name ?? '' }),
            }),
          onError: (e) =>
            notifications.show({ color: 'red', message: e instanceof Error ? e.message : t('common.error') }),
        })
      }
    />
  );
}

/** The drawer's content without data fetching: the current shares and, for managers, the add form. */
export function ShareManagerView({
  shares,
  canManage,
  userOptions,
  teamOptions,
  adding = false,
  removing,
  fieldErrors = {},
  general = [],
  formKey = 0,
  onAdd,
  onChangeAccess,
  onRemove,
}: {
  shares: Share[];
  canManage: boolean;
  userOptions: Option[];
  teamOptions: Option[];
  adding?: boolean;
  removing?: string;
  fieldErrors?: Record<string, string>;
  general?: string[];
  formKey?: number;
  onAdd: (body: NewShare) => void;
  /** Sharing again with the same subject changes its access (the server answers 200). */
  onChangeAccess?: (share: Share, access: ShareAccess) => void;
  onRemove: (share: Share) => void;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const accessOptions = (['read', 'edit'] as const).map((a) => ({
    value: a,
    label: t(`sharing.shareAccess.${a}`),
  }));
  return (
    <Stack gap="md">
      {canManage ? (
        <AddShareForm
          key={formKey}
          userOptions={userOptions}
          teamOptions={teamOptions}
          adding={adding}
          fieldErrors={fieldErrors}
          general={general}
          onAdd={onAdd}
        />
      ) : (
        <Alert color="gray" data-testid="share-readonly">
          {t('sharing.readOnlyNote')}
        </Alert>
      )}
      <Divider label={t('sharing.current')} labelPosition="left" />
      {shares.length === 0 ? (
        <Empty text={t('sharing.empty')} />
      ) : (
        <Stack gap="xs" data-testid="share-list">
          {shares.map((s) => (
            <Paper key={s.id} withBorder p="sm" data-testid="share-item" data-subject={s.subject_id}>
              <Group justify="space-between" wrap="nowrap" gap="sm" align="center">
                <div style={{ minWidth: 0 }}>
                  <Group gap={6} wrap="wrap">
                    <Text fw={500} fz="sm">
                      {s.subject_name ?? t('sharing.unknownSubject')}
                    </Text>
                    {s.subject_type === 'team' && (
                      <Badge size="xs" variant="outline" color="gray">
                        {t('sharing.subjectType.team')}
                      </Badge>
                    )}
                    {!(canManage && onChangeAccess) && (
                      <Badge
                        size="sm"
                        variant="light"
                        color={s.access === 'edit' ? 'indigo' : 'gray'}
                        data-testid="share-access"
                      >
                        {t(`sharing.shareAccess.${s.access}`)}
                      </Badge>
                    )}
                  </Group>
                </div>
                {canManage && (
                  <Group gap={4} wrap="nowrap">
                    {onChangeAccess && (
                      <Select
                        size="xs"
                        w={96}
                        aria-label={t('sharing.accessFor', { name: s.subject_name ?? '' })}
                        value={s.access}
                        allowDeselect={false}
                        data={accessOptions}
                        data-testid="share-access-select"
                        comboboxProps={{ withinPortal: true }}
                        onChange={(v) => v && v !== s.access && onChangeAccess(s, v as ShareAccess)}
                      />
                    )}
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      loading={removing === s.id}
                      aria-label={t('sharing.removeFor', { name: s.subject_name ?? '' })}
                      data-testid="share-remove"
                      onClick={() => onRemove(s)}
                    >
                      {t('sharing.remove')}
                    </Button>
                  </Group>
                )}
              </Group>
              <Text fz="xs" c="dimmed" mt={4}>
                {s.created_by_name
                  ? t('sharing.sharedBy', {
                      name: s.created_by_name,
                      date: formatDate(s.created_at, lang),
                    })
                  : t('sharing.sharedAt', { date: formatDate(s.created_at, lang) })}
              </Text>
            </Paper>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function AddShareForm({
  userOptions,
  teamOptions,
  adding,
  fieldErrors,
  general,
  onAdd,
}: {
  userOptions: Option[];
  teamOptions: Option[];
  adding: boolean;
  fieldErrors: Record<string, string>;
  general: string[];
  onAdd: (body: NewShare) => void;
}) {
  const { t } = useTranslation();
  const [type, setType] = useState<ShareSubjectType>('user');
  const [subject, setSubject] = useState<string | null>(null);
  const [access, setAccess] = useState<ShareAccess>('read');
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!subject) {
      setMissing(true);
      return;
    }
    onAdd({ subject_type: type, subject_id: subject, access });
  };
  return (
    <form onSubmit={submit} data-testid="share-form">
      <Stack gap="sm">
        <Text fw={600} fz="sm">
          {t('sharing.addTitle')}
        </Text>
        {general.length > 0 && (
          <Alert color="red" role="alert">
            {general.map((g) => (
              <div key={g}>{g}</div>
            ))}
          </Alert>
        )}
        <SegmentedControl
          fullWidth
          value={type}
          onChange={(v) => {
            setType(v as ShareSubjectType);
            setSubject(null);
          }}
          data={[
            { value: 'user', label: t('sharing.subjectType.user') },
            { value: 'team', label: t('sharing.subjectType.team') },
          ]}
          data-testid="share-subject-type"
        />
        <Select
          label={t('sharing.subject')}
          placeholder={t(type === 'user' ? 'sharing.pickUser' : 'sharing.pickTeam')}
          searchable
          clearable
          nothingFoundMessage={t('common.noResults')}
          data={type === 'user' ? userOptions : teamOptions}
          value={subject}
          onChange={(v) => {
            setSubject(v);
            setMissing(false);
          }}
          error={fieldErrors.subject_id ?? (missing ? t('sharing.pickSubject') : undefined)}
          data-testid="share-subject"
          comboboxProps={{ withinPortal: true }}
        />
        <div>
          <Text fz="sm" fw={500} mb={4}>
            {t('sharing.accessLabel')}
          </Text>
          <SegmentedControl
            fullWidth
            value={access}
            onChange={(v) => setAccess(v as ShareAccess)}
            data={[
              { value: 'read', label: t('sharing.shareAccess.read') },
              { value: 'edit', label: t('sharing.shareAccess.edit') },
            ]}
            data-testid="share-access-input"
          />
          <Text fz="xs" c={fieldErrors.access ? 'red' : 'dimmed'} mt={4} data-testid="share-access-hint">
            {fieldErrors.access ?? t(`sharing.shareAccessHint.${access}`)}
          </Text>
        </div>
        <Group justify="flex-end">
          <Button type="submit" loading={adding} data-testid="share-add">
            {t('sharing.add')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Shown next to the title of a record the caller may only read (GET …/{id} answered access: 'read'). */
export function ReadOnlyBadge() {
  const { t } = useTranslation();
  return (
    <Tooltip label={t('sharing.readOnlyRecordHint')} multiline maw={260}>
      <Badge variant="outline" color="gray" data-testid="record-read-only">
        {t('sharing.readOnlyRecord')}
      </Badge>
    </Tooltip>
  );
}

import { Button, Drawer, Group, Paper, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import { useFormErrors } from './admin-shared';
import { AppCard, CopyValue } from './apps/AppCard';
import { DeleteModal, RotateModal, SecretOnce } from './apps/AppDialogs';
import { AppFormView } from './apps/AppForm';
import {
  type App,
  type AppBody,
  type AppForm,
  type AppWithSecret,
  appKeys,
  discoveryUrl,
  FORM_FIELDS,
  formOf,
  withRedirectLines,
} from './apps/apps-lib';

/**
 * Admin → Apps (`apps:manage`): the OAuth 2.0 / OpenID Connect apps (register, edit, renew the
 * secret, delete) with their usage, and the discovery URL integrators start from.
 */
export function AppsTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = useMediaQuery('(max-width: 36em)');
  // The drawer: 'new', an app being edited, or closed (null).
  const [editing, setEditing] = useState<App | 'new' | null>(null);
  const [created, setCreated] = useState<AppWithSecret | null>(null);
  const [dialog, setDialog] = useState<{ kind: 'rotate' | 'delete'; app: App } | null>(null);
  const apps = useQuery({
    queryKey: appKeys.apps,
    queryFn: () => request('get', '/oauth/apps').then((r) => r.items),
  });
  const scopes = useQuery({
    queryKey: appKeys.scopes,
    queryFn: () => request('get', '/oauth/scopes').then((r) => r.items),
    staleTime: 10 * 60_000,
  });
  const fe = useFormErrors(FORM_FIELDS);
  const save = useMutation({
    mutationFn: async ({ body }: { body: AppBody; form: AppForm }) => {
      if (editing && editing !== 'new') {
        const { type: _, ...patch } = body;
        await request('patch', '/oauth/apps/{id}', { path: { id: editing.id }, body: patch });
        return null;
      }
      return request('post', '/oauth/apps', { body });
    },
    onSuccess: (made) => {
      fe.clear();
      if (made) setCreated(made);
      else setEditing(null);
      void qc.invalidateQueries({ queryKey: appKeys.apps });
    },
    onError: (e, { form }) =>
      fe.fromError(
        withRedirectLines(e, form.redirects, (line, uri, reason) =>
          t('oauth.redirectLine', { line, uri, reason }),
        ),
      ),
  });
  const closeDrawer = () => {
    setEditing(null);
    setCreated(null);
    fe.clear();
    save.reset();
  };
  const discovery = discoveryUrl(window.location.origin);

  return (
    <Stack data-testid="apps-tab">
      <Text fz="sm" c="dimmed">
        {t('oauth.intro')}
      </Text>
      <Paper withBorder p="md">
        <Stack gap={6}>
          <Text fw={600} fz="sm">
            {t('oauth.discovery')}
          </Text>
          <CopyValue value={discovery} testId="oauth-discovery" />
          <Text fz="xs" c="dimmed">
            {t('oauth.discoveryHint')}
          </Text>
        </Stack>
      </Paper>
      <Group justify="flex-end">
        <Button onClick={() => setEditing('new')} data-testid="app-new">
          {t('oauth.newApp')}
        </Button>
      </Group>
      {apps.isPending ? (
        <Loading />
      ) : apps.isError ? (
        <ErrorState error={apps.error} onRetry={() => apps.refetch()} />
      ) : apps.data.length === 0 ? (
        <Empty text={t('oauth.empty')} />
      ) : (
        <Stack gap="sm">
          {apps.data.map((a) => (
            <AppCard
              key={a.id}
              app={a}
              scopes={scopes.data}
              onAction={(action, app) =>
                action === 'edit' ? setEditing(app) : setDialog({ kind: action, app })
              }
            />
          ))}
        </Stack>
      )}

      <Drawer
        opened={editing !== null}
        onClose={closeDrawer}
        position="right"
        size={phone ? '100%' : 'lg'}
        closeOnClickOutside={!created}
        title={created ? t('oauth.createdTitle') : editing === 'new' ? t('oauth.newApp') : t('oauth.editApp')}
        data-testid="app-drawer"
      >
        {created ? (
          <SecretOnce app={created} onDone={closeDrawer} />
        ) : scopes.isPending ? (
          <Loading />
        ) : scopes.isError ? (
          <ErrorState error={scopes.error} onRetry={() => scopes.refetch()} />
        ) : editing !== null ? (
          <AppFormView
            key={editing === 'new' ? 'new' : editing.id}
            initial={editing === 'new' ? undefined : formOf(editing)}
            editing={editing !== 'new'}
            scopes={scopes.data}
            errors={fe.errors}
            general={fe.general}
            pending={save.isPending}
            submitLabel={editing === 'new' ? t('oauth.newApp') : t('common.save')}
            onSubmit={(body, form) => save.mutate({ body, form })}
          />
        ) : null}
      </Drawer>
      <RotateModal app={dialog?.kind === 'rotate' ? dialog.app : null} onClose={() => setDialog(null)} />
      <DeleteModal app={dialog?.kind === 'delete' ? dialog.app : null} onClose={() => setDialog(null)} />
    </Stack>
  );
}

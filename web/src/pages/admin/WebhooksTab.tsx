import { Alert, Button, Drawer, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorState, Loading } from '../../components/States';
import { request } from '../../lib/api';
import { useFormErrors } from './admin-shared';
import { DeliveriesView } from './webhooks/Deliveries';
import { DeleteModal, RecoverModal, SecretBox, SecretModal, TestModal } from './webhooks/EndpointDialogs';
import { EndpointFormView } from './webhooks/EndpointForm';
import { EndpointCard } from './webhooks/Endpoints';
import { type Endpoint, type EndpointBody, FORM_FIELDS, formOf, webhookKeys } from './webhooks/webhooks-lib';

type Dialog = 'test' | 'secret' | 'recover' | 'delete';

/**
 * Admin → Webhooks (`webhooks:manage`): the endpoints (create, edit, test, secret, enable/disable,
 * recover, delete) and the delivery log with its detail drawer and replay.
 */
export function WebhooksTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const phone = useMediaQuery('(max-width: 36em)');
  const [view, setView] = useState<'endpoints' | 'deliveries'>('endpoints');
  const [deliveriesOf, setDeliveriesOf] = useState<string | null>(null);
  // The drawer: 'new', an endpoint being edited, or closed (null).
  const [editing, setEditing] = useState<Endpoint | 'new' | null>(null);
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const [dialog, setDialog] = useState<{ kind: Dialog; endpoint: Endpoint } | null>(null);
  const endpoints = useQuery({
    queryKey: webhookKeys.endpoints,
    // A tenant has a handful of endpoints: one page of the most the API gives.
    queryFn: () => request('get', '/webhooks/endpoints', { query: { limit: 200 } }).then((r) => r.data),
  });
  const eventTypes = useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: () => request('get', '/webhooks/event-types').then((r) => r.data),
    staleTime: 10 * 60_000,
  });
  const fe = useFormErrors(FORM_FIELDS);
  const save = useMutation({
    mutationFn: async (body: EndpointBody) => {
      if (editing && editing !== 'new') {
        await request('patch', '/webhooks/endpoints/{id}', { path: { id: editing.id }, body });
        return null;
      }
      const row = await request('post', '/webhooks/endpoints', { body });
      return { url: row.url, secret: row.secret };
    },
    onSuccess: (made) => {
      fe.clear();
      if (made) setCreated(made);
      else setEditing(null);
      void qc.invalidateQueries({ queryKey: webhookKeys.all });
    },
    onError: fe.fromError,
  });
  const toggle = useMutation({
    mutationFn: (e: Endpoint) =>
      request('patch', '/webhooks/endpoints/{id}', {
        path: { id: e.id },
        body: { status: e.status === 'enabled' ? 'disabled' : 'enabled' },
      }),
    onSettled: () => void qc.invalidateQueries({ queryKey: webhookKeys.all }),
  });
  const closeDrawer = () => {
    setEditing(null);
    setCreated(null);
    fe.clear();
    save.reset();
  };
  const openDialog = (kind: Dialog) => (endpoint: Endpoint) => setDialog({ kind, endpoint });
  const dialogOf = (kind: Dialog) => (dialog?.kind === kind ? dialog.endpoint : null);

  if (endpoints.isPending) return <Loading />;
  if (endpoints.isError) return <ErrorState error={endpoints.error} onRetry={() => endpoints.refetch()} />;
  const list = endpoints.data;
  return (
    <Stack data-testid="webhooks-tab">
      <Text fz="sm" c="dimmed">
        {t('webhooks.intro')}
      </Text>
      <Group justify="space-between" wrap="wrap" gap="sm">
        <SegmentedControl
          value={view}
          onChange={(v) => setView(v === 'deliveries' ? 'deliveries' : 'endpoints')}
          data={[
            { value: 'endpoints', label: t('webhooks.viewEndpoints') },
            { value: 'deliveries', label: t('webhooks.viewDeliveries') },
          ]}
          data-testid="webhooks-view"
        />
        {view === 'endpoints' && (
          <Button onClick={() => setEditing('new')} data-testid="webhook-new">
            {t('webhooks.newEndpoint')}
          </Button>
        )}
      </Group>
      {toggle.isError && <ErrorState error={toggle.error} />}
      {view === 'endpoints' ? (
        list.length === 0 ? (
          <Empty text={t('webhooks.empty')} />
        ) : (
          <Stack gap="sm">
            {list.map((e) => (
              <EndpointCard
                key={e.id}
                endpoint={e}
                busy={toggle.isPending && toggle.variables?.id === e.id}
                onAction={(a, ep) => {
                  if (a === 'edit') setEditing(ep);
                  else if (a === 'toggle') toggle.mutate(ep);
                  else if (a === 'deliveries') {
                    setDeliveriesOf(ep.id);
                    setView('deliveries');
                  } else openDialog(a)(ep);
                }}
              />
            ))}
          </Stack>
        )
      ) : (
        <DeliveriesView endpoints={list} endpointId={deliveriesOf} onEndpointChange={setDeliveriesOf} />
      )}

      <Drawer
        opened={editing !== null}
        onClose={closeDrawer}
        position="right"
        size={phone ? '100%' : 'lg'}
        title={
          created
            ? t('webhooks.secretOnceTitle')
            : editing === 'new'
              ? t('webhooks.newEndpoint')
              : t('webhooks.editEndpoint')
        }
        data-testid="webhook-drawer"
      >
        {created ? (
          <Stack data-testid="webhook-created">
            <Text fz="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
              {created.url}
            </Text>
            <Alert color="yellow">{t('webhooks.secretOnce')}</Alert>
            <SecretBox secret={created.secret} testId="webhook-secret-once" />
            <Group justify="flex-end">
              <Button onClick={closeDrawer} data-testid="webhook-created-done">
                {t('webhooks.done')}
              </Button>
            </Group>
          </Stack>
        ) : eventTypes.isPending ? (
          <Loading />
        ) : eventTypes.isError ? (
          <ErrorState error={eventTypes.error} onRetry={() => eventTypes.refetch()} />
        ) : editing !== null ? (
          <EndpointFormView
            key={editing === 'new' ? 'new' : editing.id}
            initial={editing === 'new' ? undefined : formOf(editing)}
            eventTypes={eventTypes.data}
            errors={fe.errors}
            general={fe.general}
            pending={save.isPending}
            submitLabel={editing === 'new' ? t('common.create') : t('common.save')}
            onSubmit={(body) => save.mutate(body)}
          />
        ) : null}
      </Drawer>
      <TestModal endpoint={dialogOf('test')} onClose={() => setDialog(null)} />
      <SecretModal endpoint={dialogOf('secret')} onClose={() => setDialog(null)} />
      <RecoverModal endpoint={dialogOf('recover')} onClose={() => setDialog(null)} />
      <DeleteModal endpoint={dialogOf('delete')} onClose={() => setDialog(null)} />
    </Stack>
  );
}

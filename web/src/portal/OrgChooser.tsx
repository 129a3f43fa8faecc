import { Alert, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, type PortalSession, portalApi, portalKeys } from './portal-api';

/** After signing in: a person on file with several organisations picks whose data to see. */
export function OrgChooser({ session }: { session: PortalSession }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const pick = async (tenantId: string) => {
    setBusy(tenantId);
    setError(null);
    try {
      const s = await portalApi<PortalSession>(`/organisations/${encodeURIComponent(tenantId)}/select`, {
        method: 'POST',
      });
      // Another organisation's data must never show from the cache of the previous one.
      qc.removeQueries({ predicate: (q) => q.queryKey[1] !== 'session' });
      qc.setQueryData(portalKeys.session, s);
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Stack gap="md" maw={520} mx="auto" data-testid="portal-orgs">
      <Title order={2} fz="xl">
        {t('portal.orgs.heading')}
      </Title>
      <Text fz="sm" c="dimmed">
        {t('portal.orgs.intro')}
      </Text>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {session.organisations.map((o) => (
        <UnstyledButton
          key={o.tenant_id}
          onClick={() => pick(o.tenant_id)}
          disabled={busy !== null}
          data-testid={`portal-org-${o.tenant_id}`}
          p="md"
          bg="white"
          style={{
            border: '1px solid var(--mantine-color-gray-3)',
            borderRadius: 'var(--mantine-radius-md)',
            opacity: busy && busy !== o.tenant_id ? 0.6 : 1,
          }}
        >
          <Text fw={600}>{o.name}</Text>
          <Text fz="sm" c="dimmed">
            {t('portal.orgs.recordedAs', { name: o.contact_name })}
            {o.account_name ? ` · ${t('portal.orgs.at', { company: o.account_name })}` : ''}
          </Text>
        </UnstyledButton>
      ))}
    </Stack>
  );
}

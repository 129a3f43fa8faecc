import {
  Alert,
  Anchor,
  Box,
  Button,
  Center,
  Container,
  Group,
  Loader,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import i18n from 'i18next';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';
import { LangSwitch } from '../components/LangSwitch';
import { ApiError } from '../lib/problem';
import { OrgChooser } from './OrgChooser';
import { PortalHome } from './PortalHome';
import { PortalLogin, PortalVerifyLink } from './PortalLogin';
import { errorText, type PortalSession, portalApi, portalKeys, setPortalSignedOut } from './portal-api';

/**
 * The customer portal (/portal, R-5.1): its own shell, its own query cache and API client (only
 * /api/v1/portal/*, cookie zs_portal). Nothing is shared with the staff session.
 */
export default function PortalApp() {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 15_000,
            refetchOnWindowFocus: false,
            retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
          },
        },
      }),
  );
  useEffect(() => {
    // A call that finds the session gone shows the sign-in again, with a word why.
    setPortalSignedOut(() => {
      client.removeQueries({ predicate: (q) => q.queryKey[1] !== 'session' });
      client.setQueryData(portalKeys.session, null);
      notifications.show({ color: 'yellow', message: i18n.t('portal.sessionEnded') });
    });
    return () => setPortalSignedOut(null);
  }, [client]);
  return (
    <QueryClientProvider client={client}>
      <Routes>
        <Route
          path="/portal/verify"
          element={
            <PortalShell>
              <PortalVerifyLink />
            </PortalShell>
          }
        />
        <Route path="*" element={<PortalMain />} />
      </Routes>
    </QueryClientProvider>
  );
}

/** Signed out → sign-in; signed in with several organisations → chooser; else the person's data. */
function PortalMain() {
  const { t } = useTranslation();
  const session = usePortalSession();
  if (session.isPending)
    return (
      <PortalShell>
        <Center h={240} aria-busy="true">
          <Loader />
        </Center>
      </PortalShell>
    );
  if (session.isError && !(session.error instanceof ApiError && session.error.status === 401))
    return (
      <PortalShell>
        <Alert color="red" title={t('portal.error')} role="alert">
          <Stack gap="xs" align="flex-start">
            <Text fz="sm">{errorText(session.error, t)}</Text>
            <Button size="xs" variant="light" color="red" onClick={() => session.refetch()}>
              {t('portal.retry')}
            </Button>
          </Stack>
        </Alert>
      </PortalShell>
    );
  const s = session.data ?? null;
  if (!s)
    return (
      <PortalShell>
        <PortalLogin />
      </PortalShell>
    );
  if (!s.selected)
    return (
      <PortalShell session={s}>
        <OrgChooser session={s} />
      </PortalShell>
    );
  return (
    <PortalShell session={s}>
      <PortalHome session={s} />
    </PortalShell>
  );
}

/** The session, or null when signed out (401). */
export function usePortalSession() {
  return useQuery({
    queryKey: portalKeys.session,
    queryFn: async () => {
      try {
        return await portalApi<PortalSession>('/session');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
  });
}

function PortalShell({ children, session }: { children: ReactNode; session?: PortalSession | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  const logout = async () => {
    setLeaving(true);
    try {
      await portalApi('/logout', { method: 'POST' });
    } finally {
      // Drop the person's data from memory; the session query (observed by the page) becomes null.
      qc.removeQueries({ predicate: (q) => q.queryKey[1] !== 'session' });
      qc.setQueryData(portalKeys.session, null);
      setLeaving(false);
    }
  };
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)" data-testid="portal-shell">
      <Box component="header" bg="white" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Container size={760} px="md" py="sm">
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Title order={1} fz={{ base: 'lg', sm: 'xl' }} lh={1.3}>
                {t('portal.title')}
              </Title>
              {session?.selected ? (
                <Text fz="xs" c="dimmed" truncate data-testid="portal-org-name">
                  {session.selected.name}
                </Text>
              ) : (
                <Text fz="xs" c="dimmed">
                  {t('portal.subtitle')}
                </Text>
              )}
            </Stack>
            <Group gap="xs" wrap="nowrap">
              <LangSwitch />
              {session && (
                <Anchor
                  component="button"
                  fz="sm"
                  onClick={logout}
                  disabled={leaving}
                  data-testid="portal-logout"
                >
                  {t('portal.logout')}
                </Anchor>
              )}
            </Group>
          </Group>
        </Container>
      </Box>
      <Container size={760} px="md" py="lg" component="main">
        {children}
      </Container>
    </Box>
  );
}

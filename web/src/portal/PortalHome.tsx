import { Anchor, Button, Group, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ConsentSection } from './ConsentSection';
import { DeleteSection, RequestsSection } from './DeleteSection';
import { ExportSection } from './ExportSection';
import { HeldDataSection } from './HeldDataSection';
import { ProfileSection } from './ProfileSection';
import { type PortalSession, portalKeys } from './portal-api';

const SECTIONS = ['profile', 'data', 'consents', 'export', 'delete', 'requests'] as const;

/** The signed-in person's page: every section about their data, one under the other (mobile first). */
export function PortalHome({ session }: { session: PortalSession }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const org = session.selected;
  if (!org) return null;
  return (
    <Stack gap="lg" data-testid="portal-home">
      <Stack gap={4}>
        <Title order={2} fz={{ base: 'xl', sm: 26 }}>
          {t('portal.home.greeting', { name: org.contact_name })}
        </Title>
        <Text fz="sm" c="dimmed">
          {t('portal.home.heldBy', { org: org.name })}
        </Text>
        {session.organisations.length > 1 && (
          <Group>
            <Button
              variant="subtle"
              size="compact-sm"
              px={0}
              data-testid="portal-switch-org"
              onClick={() => {
                qc.removeQueries({ predicate: (q) => q.queryKey[1] !== 'session' });
                qc.setQueryData(portalKeys.session, { ...session, selected: null });
              }}
            >
              {t('portal.orgs.switch')}
            </Button>
          </Group>
        )}
      </Stack>
      <ScrollArea type="never" component="nav" aria-label={t('portal.title')}>
        <Group gap="xs" wrap="nowrap">
          {SECTIONS.map((s) => (
            <Anchor
              key={s}
              href={`#portal-${s}`}
              fz="sm"
              px="sm"
              py={4}
              bg="white"
              style={{
                border: '1px solid var(--mantine-color-gray-3)',
                borderRadius: 999,
                whiteSpace: 'nowrap',
              }}
            >
              {t(`portal.nav.${s}`)}
            </Anchor>
          ))}
        </Group>
      </ScrollArea>
      <ProfileSection />
      <HeldDataSection />
      <ConsentSection />
      <ExportSection />
      <DeleteSection orgName={org.name} />
      <RequestsSection />
      <Text fz="xs" c="dimmed" ta="center">
        {t('portal.home.sessionUntil')}
      </Text>
    </Stack>
  );
}

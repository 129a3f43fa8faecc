import { Alert, Anchor, Badge, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { wholeBadge } from '../../components/badges';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Section } from '../../components/Timeline';
import { groupCommittee } from '../../lib/committee';
import { useLang } from '../../lib/hooks';
import type { AccountData } from './useAccountData';

type Contact = NonNullable<AccountData['contacts']['data']>[number];

function stanceColor(stance: string) {
  if (stance === 'champion' || stance === 'supporter') return 'green';
  if (stance === 'blocker' || stance === 'skeptic') return 'red';
  return 'gray';
}

/** The buying committee: which roles are covered, by whom, and which are missing. */
export function CommitteeSection({ contacts }: { contacts: AccountData['contacts'] }) {
  const { t } = useTranslation();
  const lang = useLang();
  const committee = useMemo(() => groupCommittee(contacts.data ?? []), [contacts.data]);
  return (
    <Section title={t('account.committee')}>
      {contacts.isPending ? (
        <Loading h={80} />
      ) : contacts.isError ? (
        <ErrorState error={contacts.error} onRetry={() => contacts.refetch()} />
      ) : (
        <>
          {committee.missing.length > 0 ? (
            <Alert color="orange" data-testid="committee-gaps">
              {t('account.missingRoles', {
                roles: committee.missing.map((r) => t(`committee.${r}`)).join(lang === 'en' ? ', ' : '、'),
              })}
            </Alert>
          ) : (
            <Alert color="green">{t('account.committeeComplete')}</Alert>
          )}
          {committee.groups.length === 0 && <Empty text={t('account.noContacts')} />}
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            {committee.groups.map((g) => (
              <div key={g.role}>
                <Badge variant="light" mb={4} styles={wholeBadge}>
                  {t(`committee.${g.role}`, { defaultValue: g.role })}
                </Badge>
                <Stack gap={2}>
                  {g.contacts.map((c) => (
                    <CommitteeMember key={c.id} c={c} />
                  ))}
                </Stack>
              </div>
            ))}
          </SimpleGrid>
          {committee.missing.length > 0 && (
            <Group gap={4}>
              {committee.missing.map((r) => (
                <Badge key={r} color="orange" variant="outline" size="sm">
                  {t('account.missing')}: {t(`committee.${r}`)}
                </Badge>
              ))}
            </Group>
          )}
        </>
      )}
    </Section>
  );
}

function CommitteeMember({ c }: { c: Contact }) {
  const { t } = useTranslation();
  return (
    <Text fz="sm">
      <Anchor component={Link} to={`/contacts/${c.id}`}>
        {c.name}
      </Anchor>
      {c.title ? <Text span c="dimmed" fz="xs">{` · ${c.title}`}</Text> : null}
      {c.stance ? (
        <Badge ml={6} size="xs" variant="dot" color={stanceColor(c.stance)} styles={wholeBadge}>
          {t(`stance.${c.stance}`)}
        </Badge>
      ) : null}
    </Text>
  );
}

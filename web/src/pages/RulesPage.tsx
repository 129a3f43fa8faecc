import 'react-querybuilder/dist/query-builder.css';
import { Badge, Grid, Group, NavLink, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Empty, ErrorState, Loading } from '../components/States';
import { api } from '../lib/api';
import { useLang } from '../lib/hooks';
import { localName } from '../lib/labels';
import { queryKeys } from '../lib/query-keys';
import { type Rule, severityColor, useSignalTypes } from '../lib/signals';
import { RuleEditor } from './rules/RuleEditor';

export default function RulesPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const lang = useLang();
  const rules = useQuery({
    queryKey: queryKeys.rules.all,
    // the API declares rules as open records: their shape is named in lib/signals.ts
    queryFn: () => api<{ data: Rule[] }>('/rules').then((r) => r.data),
  });
  const types = useSignalTypes().data;
  const selected = rules.data?.find((r) => r.id === id);
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        {t('rules.title')}
      </Title>
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => rules.refetch()} />
      ) : rules.data.length === 0 ? (
        <Empty />
      ) : (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <Paper withBorder p={4} component="nav" aria-label={t('rules.title')} data-testid="rule-list">
              {rules.data.map((r) => (
                <NavLink
                  key={r.id}
                  component={Link}
                  to={`/rules/${r.id}`}
                  active={r.id === id}
                  label={localName(r.name, lang)}
                  description={
                    <Group gap={4} component="span">
                      <Text span fz="xs" ff="monospace" translate="no">
                        {r.key}
                      </Text>
                      <Badge component="span" size="xs" variant="light">
                        {t('rules.version', { version: r.current_version })}
                      </Badge>
                      {r.definition && (
                        <Badge component="span" size="xs" color={severityColor(r.definition.severity)}>
                          {t(`inbox.severity.${r.definition.severity}`)}
                        </Badge>
                      )}
                      {!r.active && (
                        <Badge component="span" size="xs" color="gray" variant="outline">
                          {t('rules.inactive')}
                        </Badge>
                      )}
                    </Group>
                  }
                />
              ))}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            {selected ? (
              <RuleEditor
                key={`${selected.id}:${selected.current_version}`}
                rule={selected}
                types={types ?? []}
                lang={lang}
              />
            ) : (
              <Empty text={t('rules.select')} />
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

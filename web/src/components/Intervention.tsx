import {
  Anchor,
  Badge,
  Button,
  Collapse,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, request } from '../lib/api';
import { formatDateTime, formatMoney } from '../lib/format';
import { useLang } from '../lib/hooks';
import { featureLabel, payloadText, sourceLabel, useRuleNames } from '../lib/labels';
import { queryKeys } from '../lib/query-keys';
import {
  flattenFeatures,
  type Intervention,
  isOverdue,
  severityColor,
  signalTypeName,
  useSignalTypes,
} from '../lib/signals';

/** One intervention bundle: risk alert, talk track, resource package, owner, due, evidence. */
export function InterventionCard({
  item,
  accountName,
  ownerName,
  isNew,
  actions,
}: {
  item: Intervention;
  accountName?: string;
  ownerName?: string;
  isNew?: boolean;
  actions?: ReactNode;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const [evidenceOpen, evidence] = useDisclosure(false);
  const overdue = item.status === 'open' && isOverdue(item.due_at);
  const r = item.resources ?? {};
  return (
    <Paper
      withBorder
      p="md"
      className="zs-bundle"
      data-new={isNew ? 'true' : 'false'}
      data-testid="intervention"
      data-id={item.id}
      data-status={item.status}
      component="article"
      aria-labelledby={`iv-${item.id}`}
    >
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
            <Group gap={6} wrap="wrap">
              <Badge color={severityColor(item.severity)} variant="filled">
                {t(`inbox.severity.${item.severity}`)}
              </Badge>
              {isNew && (
                <Badge color="orange" variant="light">
                  {t('inbox.new')}
                </Badge>
              )}
              {item.status !== 'open' && (
                <Badge variant="outline" color={item.status === 'accepted' ? 'green' : 'gray'}>
                  {t(`inbox.status_${item.status}`)}
                </Badge>
              )}
              {item.sign_off_status !== 'not_required' && (
                <Badge
                  variant="light"
                  color={
                    item.sign_off_status === 'approved'
                      ? 'green'
                      : item.sign_off_status === 'rejected'
                        ? 'red'
                        : 'yellow'
                  }
                  data-testid="sign-off-status"
                >
                  {t(`inbox.signOff.${item.sign_off_status}`)}
                </Badge>
              )}
              {item.occurrences > 1 && (
                <Text fz="xs" c="dimmed">
                  {t('inbox.occurrences', { count: item.occurrences })}
                </Text>
              )}
            </Group>
            <Text fw={600} id={`iv-${item.id}`} component="h3" fz="md" m={0}>
              {item.title}
            </Text>
            <Text fz="xs" c="dimmed">
              <Anchor
                component={Link}
                to={`/accounts/${item.account_id}`}
                fz="xs"
                data-testid="intervention-account"
              >
                <RecordName entity="accounts" id={item.account_id} known={accountName} />
              </Anchor>
              {item.opportunity_id && (
                <>
                  {' · '}
                  <Anchor
                    component={Link}
                    to={`/opportunities/${item.opportunity_id}`}
                    fz="xs"
                    data-testid="intervention-opportunity"
                  >
                    <RecordName entity="opportunities" id={item.opportunity_id} />
                  </Anchor>
                </>
              )}
              {ownerName ? ` · ${t('inbox.owner')}: ${ownerName}` : ''}
              {' · '}
              <Text span fz="xs" c={overdue ? 'red' : 'dimmed'} fw={overdue ? 600 : undefined}>
                {t('inbox.due', { at: formatDateTime(item.due_at, lang) })}
                {overdue ? ` · ${t('inbox.overdue')}` : ''}
              </Text>
            </Text>
          </Stack>
          {actions}
        </Group>
        {item.risk?.what_changed && (
          <Text fz="sm">
            <Text span fw={600} fz="sm">
              {t('inbox.whatChanged')}:{' '}
            </Text>
            {item.risk.what_changed}
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TalkTrack item={item} />
          <div>
            <Text fz="xs" c="dimmed" fw={600}>
              {t('inbox.resources')}
            </Text>
            <Stack gap={2}>
              {(r.cases ?? []).length > 0 && (
                <Text fz="sm">
                  {t('inbox.cases')}: {(r.cases ?? []).join(lang === 'en' ? ', ' : '、')}
                </Text>
              )}
              {r.specialist && (
                <Text fz="sm">
                  {t('inbox.specialist')}: {r.specialist}
                </Text>
              )}
              {typeof r.budget === 'number' && (
                <Text fz="sm">
                  {t('inbox.budget')}: {formatMoney(r.budget, 'CNY', lang)}
                </Text>
              )}
              {!(r.cases ?? []).length && !r.specialist && typeof r.budget !== 'number' && (
                <Text fz="sm" c="dimmed">
                  {t('inbox.noResources')}
                </Text>
              )}
            </Stack>
          </div>
        </SimpleGrid>
        {item.dismiss_reason && (
          <Text fz="xs" c="dimmed">
            {t('inbox.dismissedBecause', { reason: item.dismiss_reason })}
          </Text>
        )}
        <div>
          <Button
            variant="subtle"
            size="compact-sm"
            onClick={evidence.toggle}
            aria-expanded={evidenceOpen}
            aria-controls={`ev-${item.id}`}
            data-testid="evidence-toggle"
          >
            {evidenceOpen ? '▾' : '▸'} {t('inbox.evidence')} ·{' '}
            {t('inbox.signals', { count: item.signal_ids.length })}
          </Button>
          <Collapse in={evidenceOpen} id={`ev-${item.id}`}>
            {evidenceOpen && <Evidence item={item} />}
          </Collapse>
        </div>
      </Stack>
    </Paper>
  );
}

/**
 * A record's name for a card: the one the page already knows, else the record's own (one cached
 * request); while loading, nothing — never a placeholder such as 「客户」.
 */
function RecordName({ entity, id, known }: { entity: string; id: string; known?: string }) {
  const q = useQuery({
    queryKey: queryKeys.records.one(entity, id),
    queryFn: () => api<{ name?: string }>(`/${entity}/${id}`),
    enabled: !known,
    staleTime: 60_000,
  });
  return <>{known ?? q.data?.name ?? '…'}</>;
}

/** The talk track; when an LLM rewrote it, a badge (model in the tooltip) and the template on demand. */
function TalkTrack({ item }: { item: Intervention }) {
  const { t } = useTranslation();
  const [templateOpen, template] = useDisclosure(false);
  const origin = item.resources?.talk_track;
  const rewritten = origin?.source === 'llm';
  return (
    <div data-testid="talk-track" data-source={rewritten ? 'llm' : 'template'}>
      <Group gap={6}>
        <Text fz="xs" c="dimmed" fw={600}>
          {t('inbox.talkTrack')}
        </Text>
        {rewritten && (
          <Tooltip
            label={t('inbox.llm.rewrittenBy', { model: origin.model })}
            events={{ hover: true, focus: true, touch: true }}
          >
            <Badge
              size="xs"
              variant="light"
              color="violet"
              tt="none"
              tabIndex={0}
              data-testid="talk-track-llm"
            >
              {t('inbox.llm.badge')}
            </Badge>
          </Tooltip>
        )}
      </Group>
      <Text fz="sm">{item.talk_track}</Text>
      {rewritten && (
        <>
          <Button
            variant="subtle"
            size="compact-xs"
            px={0}
            onClick={template.toggle}
            aria-expanded={templateOpen}
            aria-controls={`tt-${item.id}`}
            data-testid="talk-track-template-toggle"
          >
            {templateOpen ? t('inbox.llm.hideTemplate') : t('inbox.llm.showTemplate')}
          </Button>
          <Collapse in={templateOpen} id={`tt-${item.id}`}>
            <Text fz="xs" c="dimmed" fw={600}>
              {t('inbox.llm.templateText')}
            </Text>
            <Text fz="sm" c="dimmed" data-testid="talk-track-template">
              {origin.template_text}
            </Text>
          </Collapse>
        </>
      )}
    </div>
  );
}

function Evidence({ item }: { item: Intervention }) {
  const { t } = useTranslation();
  const lang = useLang();
  const types = useSignalTypes().data;
  const ids = item.signal_ids.slice(0, 20);
  const signals = useQuery({
    queryKey: queryKeys.signals.byIds(ids),
    queryFn: () =>
      Promise.all(ids.map((id) => request('get', '/signals/{id}', { path: { id } }).catch(() => null))),
    staleTime: 5 * 60_000,
  });
  const features = flattenFeatures(item.evidence?.features ?? {}).filter(([k]) => k !== 'window_days');
  const ruleNames = useRuleNames(lang);
  const ruleName = ruleNames.get(item.rule_key);
  return (
    <Stack gap="xs" pt="xs" data-testid="evidence">
      <Text fz="xs" c="dimmed">
        <Anchor component={Link} to={`/rules/${item.rule_id}`} fz="xs">
          {ruleName
            ? t('inbox.ruleNamed', { name: ruleName, version: item.rule_version })
            : t('inbox.ruleVersion', { version: item.rule_version })}
        </Anchor>
      </Text>
      <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {signals.isPending ? (
          <Text fz="xs" c="dimmed">
            {t('common.loading')}
          </Text>
        ) : (
          ids.map((id, i) => {
            const s = signals.data?.[i];
            return (
              <li key={id} data-testid="evidence-signal">
                {s ? (
                  <Text fz="xs">
                    <Badge size="xs" color="orange" variant="light" mr={4}>
                      {signalTypeName(types, s.type, lang)}
                    </Badge>
                    {sourceLabel(t, s.source)} · {formatDateTime(s.occurred_at, lang)} ·{' '}
                    <Text span fz="xs" c="dimmed">
                      {payloadText(t, flattenFeatures(s.payload).slice(0, 4))}
                    </Text>{' '}
                    {s.account_id && (
                      <Anchor component={Link} to={`/accounts/${s.account_id}#signal-${s.id}`} fz="xs">
                        {t('inbox.viewSignal')}
                      </Anchor>
                    )}
                  </Text>
                ) : (
                  <Text fz="xs" c="dimmed">
                    {t('inbox.signalMissing')} ({id.slice(0, 8)})
                  </Text>
                )}
              </li>
            );
          })
        )}
      </Stack>
      {features.length > 0 && (
        <div>
          <Text fz="xs" c="dimmed" fw={600}>
            {t('inbox.features')}
          </Text>
          <Group gap={4}>
            {features.map(([k, v]) => (
              <Badge key={k} size="xs" variant="outline" color="gray" tt="none">
                {featureLabel(t, k, types, lang)} = {v}
              </Badge>
            ))}
          </Group>
        </div>
      )}
    </Stack>
  );
}

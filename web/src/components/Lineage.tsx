import { HoverCard, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, type Lang } from '../lib/format';
import { useLang } from '../lib/hooks';
import type { LineageItem } from '../lib/types';

/** "from Excel import" etc. for a change-log source such as import:xlsx, ui, api, seed, signal:tender. */
export function lineageMethod(
  item: Pick<LineageItem, 'source' | 'method'> & { actor_type?: string | null },
  t: (k: string, o?: any) => string,
): string {
  const src = item.source ?? '';
  const base = src.split(':')[0];
  // A contact's own change in the customer portal (actor type customer, source portal).
  if (item.actor_type === 'customer' || base === 'portal') return t('portal.staffLineage');
  if (base === 'import' || item.method === 'import') return t('lineage.import');
  if (base === 'ui' || base === 'web') return t('lineage.web');
  if (base === 'api') return item.method === 'manual' ? t('lineage.web') : t('lineage.api');
  if (base === 'seed') return t('lineage.seed');
  if (base === 'signal') return t('lineage.signal');
  if (base === 'form' || base === 'webform') return t('lineage.form');
  if (base === 'system') return t('lineage.system');
  if (item.method === 'ai' || item.method === 'ai_extracted') return t('lineage.ai');
  return t('lineage.other');
}

export function lineageText(item: LineageItem, t: (k: string, o?: any) => string, lang: Lang): string {
  return t('account.lineageLine', {
    method: lineageMethod(item, t),
    actor: item.actor_name ?? t('common.unknown'),
    date: formatDateTime(item.at, lang),
  });
}

/** Wraps a field value; hovering/focusing shows where the value came from. */
export function WithLineage({ item, children }: { item?: LineageItem; children: ReactNode }) {
  const { t } = useTranslation();
  const lang = useLang();
  if (!item) return <>{children}</>;
  return (
    <HoverCard openDelay={150} withArrow shadow="md" width={300}>
      <HoverCard.Target>
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so keyboard users can open the lineage card */}
        <span className="zs-lineage" tabIndex={0} data-testid="lineage-target">
          {children}
        </span>
      </HoverCard.Target>
      <HoverCard.Dropdown>
        <Stack gap={2} data-testid="lineage-card">
          <Text fz="xs" c="dimmed">
            {t('account.lineage')}
          </Text>
          <Text fz="sm">{lineageText(item, t, lang)}</Text>
          <Text fz="xs" c="dimmed">
            {t('account.lineageSource', { source: item.source })}
            {item.confidence !== null && item.confidence !== undefined
              ? ` · ${Math.round(item.confidence * 100)}%`
              : ''}
          </Text>
        </Stack>
      </HoverCard.Dropdown>
    </HoverCard>
  );
}

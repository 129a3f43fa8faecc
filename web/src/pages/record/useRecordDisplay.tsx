import { Anchor } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { opportunityStage } from '../../components/opportunity';
import type { Entity } from '../../lib/fields';
import { formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from '../../lib/format';
import {
  nameMap,
  useAccountNames,
  useLang,
  usePipelines,
  useRegions,
  useTeams,
  useUsers,
} from '../../lib/hooks';

/** A record of any entity, read field by field. */
export type AnyRecord = Record<string, any>;

/** How each field of a record reads: names for ids, links for parents, labels for codes, formatted numbers. */
export function useRecordDisplay(entity: Entity) {
  const { t } = useTranslation();
  const lang = useLang();
  const users = nameMap(useUsers().data);
  const regions = nameMap(useRegions().data);
  const teams = nameMap(useTeams().data);
  const accounts = useAccountNames().data;
  const pipelines = usePipelines().data;

  function display(r: AnyRecord, name: string): ReactNode {
    const v = r[name];
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return null;
    switch (name) {
      case 'owner_id':
        return users.get(v) ?? v;
      case 'region_id':
        return regions.get(v) ?? v;
      case 'team_id':
        return teams.get(v) ?? v;
      case 'account_id':
        return (
          <Anchor component={Link} to={`/accounts/${v}`}>
            {accounts?.get(v) ?? t('entities.account')}
          </Anchor>
        );
      case 'opportunity_id':
        return (
          <Anchor component={Link} to={`/opportunities/${v}`}>
            {t('entities.opportunity')}
          </Anchor>
        );
      case 'pipeline_id':
        return pipelines?.find((p) => p.id === v)?.name ?? v;
      case 'stage':
        return opportunityStage(pipelines, { pipeline_id: r.pipeline_id, stage: v }, lang);
      case 'amount':
        return formatMoney(v, r.currency, lang);
      case 'probability':
        return formatPercent(v, lang);
      case 'expected_close_date':
        return formatDate(v, lang);
      case 'occurred_at':
        return formatDateTime(v, lang);
      case 'committee_role':
        return t(`committee.${v}`);
      case 'stance':
        return t(`stance.${v}`);
      case 'type':
        return t(`activityType.${v}`);
      case 'status':
        return entity === 'activities' ? t(`activityStatus.${v}`) : t(`oppStatus.${v}`);
      default:
        if (Array.isArray(v)) return v.join(', ');
        if (typeof v === 'number') return formatNumber(v, lang, 2);
        return String(v);
    }
  }
  return { display, accounts };
}

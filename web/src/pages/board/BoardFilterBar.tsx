import { Checkbox, Group, Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { sortByName } from '../../lib/format';
import { useLang, type useRegions, type useTeams, type useUsers } from '../../lib/hooks';
import type { BoardFilters } from './useBoard';

type Named = { id: string; name: string };

/** The board's pipeline, owner, team and region pickers and the "only open stages" switch. */
export function BoardFilterBar({
  f,
  users,
  teams,
  regions,
}: {
  f: BoardFilters;
  users: ReturnType<typeof useUsers>;
  teams: ReturnType<typeof useTeams>;
  regions: ReturnType<typeof useRegions>;
}) {
  const { t } = useTranslation();
  const lang = useLang();
  const options = (rows: Named[] | undefined) =>
    sortByName(rows ?? [], (u) => u.name, lang).map((u) => ({
      value: u.id,
      label: u.name,
    }));
  return (
    <Group gap="xs" wrap="wrap" align="flex-end">
      <Select
        label={t('board.pipeline')}
        w={200}
        value={f.pipelineId}
        onChange={(v) => f.setParam('pipeline', v)}
        data={(f.pipelines.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        allowDeselect={false}
      />
      <Select
        label={t('board.owner')}
        w={170}
        clearable
        searchable
        value={f.owner || null}
        onChange={(v) => f.setParam('owner', v)}
        data={options(users.data)}
        data-testid="board-owner"
      />
      <Select
        label={t('board.team')}
        w={160}
        clearable
        value={f.team || null}
        onChange={(v) => f.setParam('team', v)}
        data={options(teams.data)}
      />
      <Select
        label={t('board.region')}
        w={160}
        clearable
        value={f.region || null}
        onChange={(v) => f.setParam('region', v)}
        data={options(regions.data)}
      />
      <Checkbox
        mb={8}
        label={t('board.onlyOpen')}
        checked={f.hideClosed}
        onChange={(e) => f.setParam('closed', e.currentTarget.checked ? null : 'show')}
      />
    </Group>
  );
}

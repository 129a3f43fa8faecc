import { Button, Group, Modal, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { RecordForm } from '../components/RecordForm';
import { Empty, ErrorState, Loading } from '../components/States';
import { nameMap, useAccountNames, useLang, useRegions, useTeams, useUsers } from '../lib/hooks';
import { usePredictionMap } from '../lib/predict';
import { Column } from './board/BoardColumn';
import { BoardFilterBar } from './board/BoardFilterBar';
import { useBoardCards, useBoardFilters } from './board/useBoard';

export default function BoardPage() {
  const { t } = useTranslation();
  const lang = useLang();
  const f = useBoardFilters();
  const { pipelines, pipelineId, pipeline } = f;
  const users = useUsers();
  const teams = useTeams();
  const regions = useRegions();
  const accounts = useAccountNames();
  const predictions = usePredictionMap();
  const [createOpen, create] = useDisclosure(false);
  const { opps, state, stages, columns, move } = useBoardCards(f);
  const userNames = useMemo(() => nameMap(users.data), [users.data]);

  const ready = !!pipeline && opps.isSuccess && !!accounts.data;
  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Group gap="xs">
          <Title order={1} fz="h2">
            {t('board.title')}
          </Title>
          <Button component={Link} to="/opportunities" variant="subtle" size="xs">
            {t('nav.list')}
          </Button>
        </Group>
        <Button onClick={create.open} disabled={!pipeline} data-testid="quick-create">
          {t('board.quickCreate')}
        </Button>
      </Group>
      <BoardFilterBar f={f} users={users} teams={teams} regions={regions} />
      {pipelines.isPending || (pipelineId && opps.isPending) ? (
        <Loading />
      ) : pipelines.isError || opps.isError ? (
        <ErrorState error={pipelines.error ?? opps.error} onRetry={() => opps.refetch()} />
      ) : !pipeline ? (
        <Empty text={t('board.noPipeline')} />
      ) : (
        <div className="zs-board" data-testid="board" data-ready={ready} data-count={state.cards.length}>
          {stages.map((s) => (
            <Column
              key={s.key}
              stage={s}
              stages={pipeline.stages}
              cards={columns[s.key] ?? []}
              lang={lang}
              accounts={accounts.data}
              predictions={predictions.data}
              users={userNames}
              pending={state.pending}
              onMove={move}
            />
          ))}
        </div>
      )}
      <Modal opened={createOpen} onClose={create.close} title={t('board.quickCreate')} size="lg">
        <RecordForm
          entity="opportunities"
          only={['name', 'account_id', 'stage', 'amount', 'currency', 'expected_close_date', 'owner_id']}
          defaults={{ pipeline_id: pipelineId, stage: stages[0]?.key, currency: 'CNY' }}
          onCancel={create.close}
          onSaved={() => {
            create.close();
            void opps.refetch();
          }}
        />
      </Modal>
    </Stack>
  );
}

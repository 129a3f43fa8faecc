import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useReducer } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { fetchRows, request } from '../../lib/api';
import { stageLabel, useLang, usePipelines } from '../../lib/hooks';
import { type BoardAction, type BoardState, boardReducer, groupByStage } from '../../lib/kanban';
import { ApiError } from '../../lib/problem';
import { queryKeys } from '../../lib/query-keys';
import type { Opportunity, Pipeline } from '../../lib/types';

/** The board's filters, kept in the address (pipeline, owner, team, region, closed stages shown). */
export function useBoardFilters() {
  const [sp, setSp] = useSearchParams();
  const pipelines = usePipelines();
  const pipelineId =
    sp.get('pipeline') ?? pipelines.data?.find((p) => p.is_default)?.id ?? pipelines.data?.[0]?.id ?? null;
  const pipeline = pipelines.data?.find((p) => p.id === pipelineId);
  const owner = sp.get('owner') ?? '';
  const team = sp.get('team') ?? '';
  const region = sp.get('region') ?? '';
  const hideClosed = sp.get('closed') !== 'show';
  const setParam = (k: string, v: string | null) =>
    setSp(
      (prev) => {
        const n = new URLSearchParams(prev);
        if (v) n.set(k, v);
        else n.delete(k);
        return n;
      },
      { replace: true },
    );
  return { pipelines, pipelineId, pipeline, owner, team, region, hideClosed, setParam };
}

export type BoardFilters = ReturnType<typeof useBoardFilters>;

/** Moves a card to a stage at once, then saves it; a refused move is rolled back and said why. */
function useMoveCard(
  pipeline: Pipeline | undefined,
  pipelineId: string | null,
  dispatch: (a: BoardAction<Opportunity>) => void,
) {
  const { t } = useTranslation();
  const lang = useLang();
  const qc = useQueryClient();
  return useCallback(
    async (card: Opportunity, to: string) => {
      if (card.stage === to) return;
      const target = pipeline?.stages.find((s) => s.key === to);
      dispatch({ type: 'move', id: card.id, to });
      try {
        const updated = await request('patch', '/opportunities/{id}', {
          path: { id: card.id },
          body: { stage: to },
        });
        dispatch({ type: 'confirm', id: card.id, card: updated });
        qc.setQueryData<Opportunity[]>(queryKeys.board.pipeline(pipelineId), (old) =>
          old?.map((o) => (o.id === card.id ? updated : o)),
        );
        void qc.invalidateQueries({ queryKey: queryKeys.records.lists('opportunities') });
        void qc.invalidateQueries({ queryKey: queryKeys.records.one('opportunities', card.id) });
        notifications.show({
          color: 'green',
          message: t('board.moved', { stage: stageLabel(target, lang, to) }),
          autoClose: 2000,
        });
      } catch (err) {
        dispatch({ type: 'rollback', id: card.id });
        const reason =
          err instanceof ApiError
            ? err.problem.errors?.map((e) => e.reason).join('; ') || err.message
            : t('errors.network');
        notifications.show({
          color: 'red',
          title: t('common.error'),
          message: t('board.moveFailed', { name: card.name, reason }),
        });
      }
    },
    [pipeline, pipelineId, qc, t, lang, dispatch],
  );
}

/** The pipeline's opportunities (with optimistic moves), filtered and grouped into the shown stages. */
export function useBoardCards(f: BoardFilters) {
  const { pipelineId, pipeline, owner, team, region, hideClosed } = f;
  const opps = useQuery({
    queryKey: queryKeys.board.pipeline(pipelineId),
    queryFn: () => fetchRows('/opportunities', { pipeline_id: pipelineId!, sort: '-amount' }, 10000),
    enabled: !!pipelineId,
  });
  const [state, dispatch] = useReducer(boardReducer<Opportunity>, {
    cards: [],
    pending: {},
  } as BoardState<Opportunity>);
  useEffect(() => {
    if (opps.data) dispatch({ type: 'load', cards: opps.data });
  }, [opps.data]);

  const stages = useMemo(
    () => (pipeline?.stages ?? []).filter((s) => !hideClosed || s.kind === 'open'),
    [pipeline, hideClosed],
  );
  const filtered = useMemo(
    () =>
      state.cards.filter(
        (c) =>
          (!owner || c.owner_id === owner) &&
          (!team || c.team_id === team) &&
          (!region || c.region_id === region),
      ),
    [state.cards, owner, team, region],
  );
  const columns = useMemo(
    () =>
      groupByStage(
        filtered,
        stages.map((s) => s.key),
      ),
    [filtered, stages],
  );
  const move = useMoveCard(pipeline, pipelineId, dispatch);
  return { opps, state, stages, columns, move };
}

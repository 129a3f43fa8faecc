import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchRows, request } from '../../lib/api';
import { type Lang, sortByName } from '../../lib/format';
import { useUsers } from '../../lib/hooks';
import { type QuotaGrid, quarterMonths, quotaCellErrors, quotaChanges, quotaGrid } from '../../lib/predict';
import { ApiError } from '../../lib/problem';
import { queryKeys } from '../../lib/query-keys';

/** The reps and their stored quotas for one quarter: who is listed, and the quarter-level quotas a rep has. */
function useQuarterQuotas(quarter: string, lang: Lang) {
  const months = useMemo(() => quarterMonths(quarter), [quarter]);
  const users = useUsers();
  const stored = useQuery({
    queryKey: queryKeys.quotas.reps(quarter),
    queryFn: () => fetchRows('/quotas', { scope: 'rep', period: [...months, quarter].join(',') }),
  });
  const reps = useMemo(() => {
    const withQuota = new Set((stored.data ?? []).map((q) => q.scope_key));
    return sortByName(
      (users.data ?? []).filter((u) => (u.role === 'rep' && u.active) || withQuota.has(u.id)),
      (u) => u.name,
      lang,
    );
  }, [users.data, stored.data, lang]);
  const initial = useMemo(
    () =>
      quotaGrid(
        stored.data ?? [],
        reps.map((r) => r.id),
        months,
      ),
    [stored.data, reps, months],
  );
  const quarterRows = useMemo(
    () =>
      new Map(
        (stored.data ?? []).filter((q) => q.period_kind === 'quarter').map((q) => [q.scope_key, q.amount]),
      ),
    [stored.data],
  );
  return { months, users, stored, reps, initial, quarterRows };
}

/**
 * A quarter's quota grid being edited, and its save: the changed cells in one PUT /quotas (all or
 * nothing), then the deletes of emptied cells. Server field errors are placed at their cells.
 */
export function useQuotaDraft(quarter: string, lang: Lang, onSaved: () => void) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const data = useQuarterQuotas(quarter, lang);
  const { stored, initial } = data;
  const [grid, setGrid] = useState<QuotaGrid>({});
  const [cellErrors, setCellErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  useEffect(() => setGrid(initial), [initial]);

  const changes = useMemo(() => quotaChanges(initial, grid, stored.data ?? []), [initial, grid, stored.data]);
  const dirty = changes.items.length + changes.deletes.length > 0;
  /** Whether the PUT of the current save is stored (a later delete may still fail). */
  const putStored = useRef(false);

  const save = useMutation({
    mutationFn: async () => {
      putStored.current = false;
      if (changes.items.length) await request('put', '/quotas', { body: changes.items });
      putStored.current = true;
      for (const id of changes.deletes) await request('delete', '/quotas/{id}', { path: { id } });
    },
    onMutate: () => {
      setCellErrors({});
      setGeneral([]);
    },
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('quotas.saved', { quarter }) });
      void qc.invalidateQueries({ queryKey: queryKeys.quotas.all });
      void qc.invalidateQueries({ queryKey: queryKeys.forecast.all });
      onSaved();
    },
    onError: (e) => {
      const placed = quotaCellErrors(e instanceof ApiError ? e.problem : undefined, changes.cells);
      setCellErrors(placed.cells);
      setGeneral(
        placed.general.length || Object.keys(placed.cells).length
          ? placed.general
          : [e instanceof Error ? e.message : t('common.error')],
      );
      // A failed PUT stored nothing: the grid keeps the edits so the marked cells can be fixed.
      // A failed delete comes after a stored PUT: reload what is stored now.
      if (putStored.current) {
        void qc.invalidateQueries({ queryKey: queryKeys.quotas.all });
        void qc.invalidateQueries({ queryKey: queryKeys.forecast.all });
      }
    },
  });
  return { ...data, grid, setGrid, cellErrors, general, dirty, save };
}

export type QuotaDraft = ReturnType<typeof useQuotaDraft>;

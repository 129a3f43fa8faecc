import { useQuery } from '@tanstack/react-query';
import { fetchRows, request } from '../../lib/api';
import { nameMap, useCustomFields, usePipelines, useRegions, useUsers } from '../../lib/hooks';
import { usePredictionMap } from '../../lib/predict';
import { queryKeys } from '../../lib/query-keys';

/** Everything the account page reads: the account, its lineage, contacts, open opportunities and lookups. */
export function useAccountData(id: string) {
  const account = useQuery({
    queryKey: queryKeys.records.one('accounts', id),
    queryFn: () => request('get', '/accounts/{id}', { path: { id: id! } }),
  });
  const lineage = useQuery({
    queryKey: queryKeys.records.lineage('accounts', id),
    queryFn: () =>
      request('get', '/accounts/{id}/lineage', { path: { id: id! } }).then(
        (r) => new Map(r.data.map((l) => [l.field, l])),
      ),
  });
  const contacts = useQuery({
    queryKey: queryKeys.contacts.byAccount(id),
    queryFn: () => fetchRows('/contacts', { account_id: id }, 1000),
  });
  const opps = useQuery({
    queryKey: queryKeys.opportunities.byAccount(id),
    queryFn: () => fetchRows('/opportunities', { account_id: id, status: 'open', sort: '-amount' }, 500),
  });
  const users = useUsers();
  const predictions = usePredictionMap();
  const regions = useRegions();
  const pipelines = usePipelines();
  const cfs = useCustomFields('accounts');
  const userNames = nameMap(users.data);
  return { account, lineage, contacts, opps, predictions, regions, pipelines, cfs, userNames };
}

export type AccountData = ReturnType<typeof useAccountData>;

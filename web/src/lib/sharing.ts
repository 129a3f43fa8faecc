import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from './api';
import type { ApiBody, ApiResponse, ApiRow } from './api-types';
import { type Problem, problemToFieldErrors } from './problem';
import { queryKeys } from './query-keys';

type DefaultsBody = ApiBody<'/sharing/defaults', 'put'>['defaults'][number];
/** Objects with an organisation-wide default (GET/PUT /sharing/defaults). */
export type SharingEntity = DefaultsBody['entity'];
export const SHARING_ENTITIES = [
  'accounts',
  'contacts',
  'opportunities',
  'activities',
] as const satisfies readonly SharingEntity[];
/** Objects whose records can be shared one by one (/{entity}/{id}/shares). */
export const SHAREABLE_ENTITIES = ['accounts', 'opportunities'] as const satisfies readonly SharingEntity[];
export type ShareableEntity = (typeof SHAREABLE_ENTITIES)[number];

export type SharingAccess = DefaultsBody['access'];
export const SHARING_ACCESS = [
  'public_read_write',
  'public_read',
  'private',
] as const satisfies readonly SharingAccess[];

/** One object's default (the API answers the entity as a string; it is one of SHARING_ENTITIES). */
export type SharingDefault = Omit<ApiRow<'/sharing/defaults'>, 'entity'> & { entity: SharingEntity };

export type SharesResponse = ApiResponse<'/accounts/{id}/shares'>;
/** One share; subject_name is null when the user or team no longer exists. */
export type Share = SharesResponse['data'][number];
export type ShareAccess = Share['access'];
export type ShareSubjectType = Share['subject_type'];
export type NewShare = ApiBody<'/accounts/{id}/shares', 'post'>;

export function isShareable(entity: string): entity is ShareableEntity {
  return (SHAREABLE_ENTITIES as readonly string[]).includes(entity);
}

/** The rows of the admin form in a fixed order (accounts, contacts, opportunities, activities). */
export function defaultsRows(data: readonly SharingDefault[]): SharingDefault[] {
  return SHARING_ENTITIES.map(
    (entity) =>
      data.find((d) => d.entity === entity) ?? { entity, access: 'public_read_write', updated_at: null },
  );
}

/**
 * The PUT body's `defaults`: all four objects, with the admin's choices applied, so the
 * organisation-wide setting is saved as a whole in one request.
 */
export function defaultsBody(
  stored: readonly SharingDefault[],
  draft: Partial<Record<SharingEntity, SharingAccess>>,
): { entity: SharingEntity; access: SharingAccess }[] {
  return defaultsRows(stored).map((row) => ({ entity: row.entity, access: draft[row.entity] ?? row.access }));
}

/** Whether any choice differs from what is stored. */
export function defaultsChanged(
  stored: readonly SharingDefault[],
  draft: Partial<Record<SharingEntity, SharingAccess>>,
): boolean {
  return defaultsRows(stored).some(
    (row) => draft[row.entity] !== undefined && draft[row.entity] !== row.access,
  );
}

/**
 * Places the errors of a PUT /sharing/defaults problem at their row. `sent` is the body's
 * `defaults` array: an error at `defaults[1].access` (or `defaults.1.access`, `/defaults/1/access`)
 * belongs to sent[1].entity. An error whose field names an entity belongs to that row.
 * Everything else is general (shown above the form).
 */
export function defaultsErrors(
  problem: Problem | undefined,
  sent: readonly { entity: string }[],
): { rows: Partial<Record<SharingEntity, string>>; general: string[] } {
  const rows: Partial<Record<SharingEntity, string>> = {};
  const general: string[] = [];
  for (const e of problem?.errors ?? []) {
    const field = e.field ?? '';
    const index = /(?:^|[.[/])(\d+)(?=$|[.\]/])/.exec(field)?.[1];
    const byIndex = index !== undefined ? sent[Number(index)]?.entity : undefined;
    const byName = SHARING_ENTITIES.find((x) => new RegExp(`(^|[.[/'"])${x}($|[.\\]/'"])`).test(field));
    const entity = (byIndex ?? byName) as SharingEntity | undefined;
    if (entity && (SHARING_ENTITIES as readonly string[]).includes(entity)) {
      rows[entity] = rows[entity] ? `${rows[entity]}; ${e.reason}` : e.reason;
    } else general.push(field ? `${field}: ${e.reason}` : e.reason);
  }
  if (!problem?.errors?.length && problem?.detail) general.push(problem.detail);
  return { rows, general };
}

/** Errors of POST /{entity}/{id}/shares under the subject and access inputs. */
export function shareErrors(problem: Problem | undefined) {
  const r = problemToFieldErrors(problem, ['subject_type', 'subject_id', 'access']);
  // the subject picker is one input for both type and id
  if (r.fields.subject_type) {
    r.fields.subject_id = r.fields.subject_id
      ? `${r.fields.subject_id}; ${r.fields.subject_type}`
      : r.fields.subject_type;
    delete r.fields.subject_type;
  }
  return r;
}

/** A record the caller may read but not edit (GET /accounts/{id} and /opportunities/{id} may say so). */
export function isReadOnly(record: { access?: unknown } | null | undefined): boolean {
  return record?.access === 'read';
}

export function useSharingDefaults() {
  return useQuery({
    queryKey: queryKeys.sharing.defaults,
    queryFn: () => request('get', '/sharing/defaults').then((r) => r.data as SharingDefault[]),
  });
}

export function useSaveSharingDefaults() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (defaults: { entity: SharingEntity; access: SharingAccess }[]) =>
      request('put', '/sharing/defaults', { body: { defaults } }).then((r) => r.data as SharingDefault[]),
    onSuccess: (data) => {
      qc.setQueryData(queryKeys.sharing.defaults, data);
      // what everyone sees may have changed
      void qc.invalidateQueries({
        predicate: (q) =>
          q.queryKey[0] !== queryKeys.me[0] && q.queryKey[0] !== queryKeys.sharing.defaults[0],
      });
    },
  });
}

export function useShares(entity: ShareableEntity, id: string) {
  return useQuery({
    queryKey: queryKeys.sharing.shares(entity, id),
    queryFn: () => request('get', `/${entity}/{id}/shares` as const, { path: { id } }),
    retry: false,
  });
}

export function useAddShare(entity: ShareableEntity, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewShare) =>
      request('post', `/${entity}/{id}/shares` as const, { path: { id }, body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.sharing.shares(entity, id) }),
  });
}

export function useRemoveShare(entity: ShareableEntity, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (shareId: string) =>
      request('delete', `/${entity}/{id}/shares/{shareId}` as const, { path: { id, shareId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.sharing.shares(entity, id) }),
  });
}

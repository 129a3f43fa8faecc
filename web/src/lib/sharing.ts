import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './api';
import { type Problem, problemToFieldErrors } from './problem';

/** Objects with an organisation-wide default (GET/PUT /sharing/defaults). */
export const SHARING_ENTITIES = ['accounts', 'contacts', 'opportunities', 'activities'] as const;
export type SharingEntity = (typeof SHARING_ENTITIES)[number];
/** Objects whose records can be shared one by one (/{entity}/{id}/shares). */
export const SHAREABLE_ENTITIES = ['accounts', 'opportunities'] as const;
export type ShareableEntity = (typeof SHAREABLE_ENTITIES)[number];

export const SHARING_ACCESS = ['public_read_write', 'public_read', 'private'] as const;
export type SharingAccess = (typeof SHARING_ACCESS)[number];

export interface SharingDefault {
  entity: SharingEntity;
  access: SharingAccess;
  updated_at: string | null;
}

export type ShareAccess = 'read' | 'edit';
export type ShareSubjectType = 'user' | 'team';
export interface Share {
  id: string;
  subject_type: ShareSubjectType;
  subject_id: string;
  /** null when the user or team no longer exists */
  subject_name: string | null;
  access: ShareAccess;
  created_at: string;
  created_by_name: string | null;
}
export interface SharesResponse {
  data: Share[];
  can_manage: boolean;
}
export interface NewShare {
  subject_type: ShareSubjectType;
  subject_id: string;
  access: ShareAccess;
}

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

const DEFAULTS_KEY = ['sharing', 'defaults'];
const sharesKey = (entity: string, id: string) => ['sharing', 'shares', entity, id];

export function useSharingDefaults() {
  return useQuery({
    queryKey: DEFAULTS_KEY,
    queryFn: () => api<{ data: SharingDefault[] }>('/sharing/defaults').then((r) => r.data),
  });
}

export function useSaveSharingDefaults() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (defaults: { entity: SharingEntity; access: SharingAccess }[]) =>
      api<{ data: SharingDefault[] }>('/sharing/defaults', { method: 'PUT', body: { defaults } }).then(
        (r) => r.data,
      ),
    onSuccess: (data) => {
      qc.setQueryData(DEFAULTS_KEY, data);
      // what everyone sees may have changed
      void qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'sharing' });
    },
  });
}

export function useShares(entity: ShareableEntity, id: string) {
  return useQuery({
    queryKey: sharesKey(entity, id),
    queryFn: () => api<SharesResponse>(`/${entity}/${id}/shares`),
    retry: false,
  });
}

export function useAddShare(entity: ShareableEntity, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewShare) => api<Share>(`/${entity}/${id}/shares`, { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: sharesKey(entity, id) }),
  });
}

export function useRemoveShare(entity: ShareableEntity, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (shareId: string) => api(`/${entity}/${id}/shares/${shareId}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: sharesKey(entity, id) }),
  });
}

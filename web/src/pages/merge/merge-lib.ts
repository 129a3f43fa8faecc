/**
 * Duplicates and merges of accounts and contacts (issue 16, item 2): the API's shapes, the calls,
 * and the pure rules the screens follow (what to ask the duplicates endpoint, which fields differ,
 * which value a field keeps by default, the merge body, how moved counts read).
 */
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { request } from '../../lib/api';
import type { ApiBody, ApiResponse, ApiRow } from '../../lib/api-types';
import { type FieldDef, FORM_FIELDS, toApiValue } from '../../lib/fields';
import { ApiError } from '../../lib/problem';

export type MergeEntity = 'accounts' | 'contacts';
export const MERGE_ENTITIES: readonly MergeEntity[] = ['accounts', 'contacts'];
export const isMergeEntity = (e: string): e is MergeEntity =>
  (MERGE_ENTITIES as readonly string[]).includes(e);

type AccountDuplicate = ApiRow<'/accounts/duplicates'>;
type ContactDuplicate = ApiRow<'/contacts/duplicates'>;
/** One possible duplicate (GET /accounts/duplicates, /contacts/duplicates), best first. */
export type Duplicate = (AccountDuplicate | ContactDuplicate) &
  Partial<Omit<AccountDuplicate, 'reasons'> & Omit<ContactDuplicate, 'reasons'>>;
export type DuplicateReason = Duplicate['reasons'][number];

/** A merge as GET /merges/{id} answers it. */
export type Merge = ApiResponse<'/merges/{id}'>;
/** The body of POST /accounts/merge and /contacts/merge. */
export type MergeBody = ApiBody<'/accounts/merge', 'post'>;
/** Which side a field's value comes from. */
export type Side = NonNullable<MergeBody['fields']>[string];

/** /merges names the entity in the singular. */
export const MERGE_KIND = { accounts: 'account', contacts: 'contact' } as const satisfies Record<
  MergeEntity,
  Merge['entity']
>;

export type MergeRecord = Record<string, unknown> & { id: string; name?: unknown };

// ---------------------------------------------------------------- duplicates while creating

/** Query of the duplicates endpoint from what the create form holds; null when there is nothing to check yet. */
export function duplicateQuery(
  entity: MergeEntity,
  values: Record<string, unknown>,
): Record<string, string> | null {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const first = (v: unknown) => {
    const list = toApiValue('list', v);
    return Array.isArray(list) ? String(list[0] ?? '').trim() : '';
  };
  const q: Record<string, string> = {};
  if (entity === 'accounts') {
    const name = text(values.name);
    if (name.length >= 2) q.name = name;
    const domain = first(values.domains) || hostOf(text(values.website));
    if (domain) q.domain = domain.toLowerCase();
    const code = text(values.credit_code).toUpperCase();
    if (code.length >= 6) q.credit_code = code;
  } else {
    const email = first(values.emails);
    if (email.includes('@')) q.email = email.toLowerCase();
    const phone = first(values.phones);
    if (phone.replace(/\D/g, '').length >= 7) q.phone = phone;
    const account = text(values.account_id);
    const name = text(values.name);
    // a name alone matches too many people: only within one account
    if (account && name.length >= 2) {
      q.name = name;
      q.account_id = account;
    }
  }
  return Object.keys(q).length ? q : null;
}

function hostOf(website: string): string {
  if (!website) return '';
  try {
    const u = new URL(/^[a-z]+:\/\//i.test(website) ? website : `https://${website}`);
    return u.hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

export function useDuplicates(
  entity: MergeEntity,
  query: Record<string, string> | null,
  opts: { excludeId?: string; enabled?: boolean } = {},
) {
  const params = query ? { ...query, exclude_id: opts.excludeId } : null;
  return useQuery({
    queryKey: ['merge', 'duplicates', entity, params],
    queryFn: ({ signal }) =>
      request('get', `/${entity}/duplicates` as const, { query: params ?? {}, signal }).then(
        (r): Duplicate[] => r.data,
      ),
    enabled: !!params && opts.enabled !== false,
    staleTime: 15_000,
    retry: false,
  });
}

/** "统一社会信用代码相同 / 域名相同" — a duplicate's reasons in the UI language. */
export function reasonsText(t: TFunction, reasons: readonly string[]): string {
  return reasons
    .map((r) => t(`merge.duplicate.reason.${r}`, { defaultValue: r }))
    .join(t('merge.duplicate.reasonSep'));
}

// ---------------------------------------------------------------- the merge dialog

/** The fields the merge dialog compares (the form's own fields, as the API names them). */
export function mergeFields(entity: MergeEntity): FieldDef[] {
  return FORM_FIELDS[entity];
}

function comparable(def: FieldDef, v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (Array.isArray(v)) return v.length ? JSON.stringify([...v].map(String).sort()) : '';
  if (def.type === 'number' || def.type === 'money') return String(Number(v));
  return String(v).trim();
}

export const isEmptyValue = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** The fields whose values differ between the two records, in form order. */
export function differingFields(entity: MergeEntity, a: MergeRecord, b: MergeRecord): FieldDef[] {
  return mergeFields(entity).filter((d) => comparable(d, a[d.name]) !== comparable(d, b[d.name]));
}

/**
 * List fields (domains, tags, emails, phones) are not picked: the survivor keeps both records'
 * values (the server unions them unless told a side).
 */
export const isCombined = (d: FieldDef) => d.type === 'list';

/** A combined list field's values after the merge: the survivor's, then the other record's new ones. */
export function combinedValues(survivor: unknown, merged: unknown): string[] {
  const a = Array.isArray(survivor) ? survivor.map(String) : [];
  const b = Array.isArray(merged) ? merged.map(String) : [];
  return [...a, ...b.filter((x) => !a.includes(x))];
}

/**
 * Which record's value a field keeps unless the user picks: the survivor's, except where the
 * survivor has none and the other record has one (nothing is lost by default).
 */
export function defaultChoice(field: string, survivor: MergeRecord, merged: MergeRecord): string {
  return isEmptyValue(survivor[field]) && !isEmptyValue(merged[field]) ? merged.id : survivor.id;
}

/**
 * The body of POST /{entity}/merge: for every differing field that is picked (not a list), the
 * side whose value stays (`picks` holds the record id the user picked per field; unpicked fields
 * take defaultChoice).
 */
export function mergeBody(
  entity: MergeEntity,
  survivor: MergeRecord,
  merged: MergeRecord,
  picks: Record<string, string>,
): MergeBody {
  const fields: Record<string, Side> = {};
  for (const d of differingFields(entity, survivor, merged)) {
    if (isCombined(d)) continue;
    const id = picks[d.name] ?? defaultChoice(d.name, survivor, merged);
    fields[d.name] = id === merged.id ? 'merged' : 'survivor';
  }
  return { survivor_id: survivor.id, merged_id: merged.id, fields };
}

/** "联系人 3 位、商机 2 个" — what a merge moved, leaving out zeros; '' when it says nothing. */
export function movedText(t: TFunction, moved: Record<string, number> | null | undefined): string {
  const parts = Object.entries(moved ?? {})
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([what, count]) =>
      t(`merge.moved.${what}`, {
        count,
        defaultValue: t('merge.moved.other', { count, what: t(`fields.${what}`, { defaultValue: what }) }),
      }),
    );
  return parts.join(t('merge.moved.sep'));
}

// ---------------------------------------------------------------- recent merges and undo

export function useRecentMerges(entity: MergeEntity, recordId: string) {
  return useQuery({
    queryKey: mergeKeys.recent(entity, recordId),
    queryFn: () =>
      request('get', '/merges', {
        query: { entity: MERGE_KIND[entity], record_id: recordId, limit: 10 },
      }).then((r) => r.data),
    retry: false,
  });
}

export const mergeKeys = {
  all: ['merge'] as const,
  recent: (entity: string, id: string) => ['merge', 'recent', entity, id] as const,
};

/** A merge the user may still undo (status merged, before undo_until). */
export function canUndo(m: Pick<Merge, 'status' | 'undo_until'>, now = Date.now()): boolean {
  return m.status === 'merged' && new Date(m.undo_until).getTime() > now;
}

/** A refused undo (409) in business words: already undone, or past the 30 days. */
export function undoRefusal(t: TFunction, m: Pick<Merge, 'status' | 'undo_until'>, now = Date.now()): string {
  return m.status === 'undone' || new Date(m.undo_until).getTime() > now
    ? t('merge.recent.alreadyUndone')
    : t('merge.recent.expired');
}

/** The survivor's id when a record was merged away (GET answers 404 with `merged_into`). */
export function mergedInto(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 404) return null;
  const v = (error.problem as { merged_into?: unknown }).merged_into;
  return typeof v === 'string' && v ? v : null;
}

/**
 * A survivor's timeline items about merges (kind 'merge' / 'merge_undone', data.merged_name) in
 * the UI language: the badge and the title. null for any other item.
 */
export function mergeTimelineText(
  t: TFunction,
  item: { kind: string; data?: Record<string, unknown> | null },
): { badge: string; title: string } | null {
  if (item.kind !== 'merge' && item.kind !== 'merge_undone') return null;
  const name = String(item.data?.merged_name ?? '');
  return {
    badge: t(`merge.timeline.${item.kind}`),
    title:
      item.kind === 'merge'
        ? t('merge.timeline.mergeTitle', { name })
        : t('merge.timeline.undoneTitle', { name }),
  };
}

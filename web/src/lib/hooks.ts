import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { fetchRows, request } from './api';
import type { Lang } from './format';
import { queryKeys } from './query-keys';
import type { CustomField, Stage } from './types';

export function useLang(): Lang {
  const { i18n } = useTranslation();
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

const LOOKUP_STALE = 5 * 60_000;

export function useUsers() {
  return useQuery({
    queryKey: queryKeys.lookup.users,
    queryFn: () => fetchRows('/users', {}, 2000),
    staleTime: LOOKUP_STALE,
  });
}
export function useRegions() {
  return useQuery({
    queryKey: queryKeys.lookup.regions,
    queryFn: () => fetchRows('/regions', {}, 2000),
    staleTime: LOOKUP_STALE,
  });
}
export function useTeams() {
  return useQuery({
    queryKey: queryKeys.lookup.teams,
    queryFn: () => fetchRows('/teams', {}, 2000),
    staleTime: LOOKUP_STALE,
  });
}
export function usePipelines() {
  return useQuery({
    queryKey: queryKeys.pipelines.all,
    queryFn: () => fetchRows('/pipelines', {}, 200),
    staleTime: LOOKUP_STALE,
  });
}
/** Account id → name for lists and the board (the API returns ids only). */
export function useAccountNames() {
  return useQuery({
    queryKey: queryKeys.lookup.accountNames,
    queryFn: async () => {
      const rows = await fetchRows('/accounts', {}, 20000);
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    staleTime: 60_000,
  });
}
export function useCustomFields(entity: string) {
  return useQuery({
    queryKey: queryKeys.customFields.of(entity),
    queryFn: () => request('get', '/custom-fields', { query: { entity, limit: 500 } }).then((r) => r.data),
    staleTime: LOOKUP_STALE,
  });
}

export function nameMap<T extends { id: string; name: string }>(rows: T[] | undefined): Map<string, string> {
  return new Map((rows ?? []).map((r) => [r.id, r.name]));
}

export function stageLabel(s: Stage | undefined, lang: Lang, fallback = ''): string {
  if (!s) return fallback;
  return lang === 'en' && s.name_en ? s.name_en : s.name;
}

export function fieldLabel(cf: Pick<CustomField, 'label' | 'label_en'>, lang: Lang): string {
  return lang === 'en' && cf.label_en ? cf.label_en : cf.label;
}

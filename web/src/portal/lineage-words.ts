import type { TFunction } from 'i18next';

/** One lineage entry, as the profile (change log) or a module's personal-data section gives it. */
export interface AnyLineage {
  method?: string | null;
  source?: string | null;
  actor_type?: string | null;
  actor_name?: string | null;
  actorName?: string | null;
  at?: string | null;
  /** Method detail: a model or rule name, possibly in both languages. */
  detail?: string | { en: string; zh: string } | null;
}

/** 2026-03-02 in the browser's time zone (the same in both languages: nobody misreads it). */
export function isoDay(at: string | null | undefined): string {
  if (!at) return '—';
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return at;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/**
 * Where a datum came from, in words the person can check: "来自官网表单，2026-03-02",
 * "AI 从会议纪要提取（模型 …）", "由 王芳 录入", "您本人通过门户修改".
 */
export function lineageWords(l: AnyLineage | null | undefined, t: TFunction, lang = 'zh-CN'): string {
  if (!l) return t('portal.lineage.none');
  const date = isoDay(l.at);
  const method = l.method ?? '';
  const source = l.source ?? '';
  const base = source.split(':')[0];
  const actor = l.actor_name ?? l.actorName ?? null;
  const detail =
    typeof l.detail === 'object' && l.detail
      ? lang === 'en'
        ? l.detail.en
        : l.detail.zh
      : (l.detail ?? null);
  if (l.actor_type === 'customer' || base === 'portal' || method === 'customer')
    return t('portal.lineage.customer', { date });
  if (base === 'webform' || base === 'form') return t('portal.lineage.webform', { date });
  if (method === 'ai_extracted' || method === 'ai' || method === 'llm') {
    const from = /meeting|notes|minutes|纪要/i.test(`${source} ${detail ?? ''}`)
      ? t('portal.lineage.aiFromMeeting')
      : t('portal.lineage.aiFrom');
    return detail
      ? t('portal.lineage.ai', { from, detail, date })
      : t('portal.lineage.aiNoDetail', { from, date });
  }
  if (method === 'model') return t('portal.lineage.model', { detail: detail ?? '—', date });
  if (method === 'rule') return t('portal.lineage.rule', { detail: detail ?? '—', date });
  if (method === 'computed') return t('portal.lineage.computed', { date });
  if (method === 'import' || base === 'import')
    return actor ? t('portal.lineage.import', { actor, date }) : t('portal.lineage.importAnon', { date });
  if (base === 'signal')
    return t('portal.lineage.signal', { source: source.slice(7) || detail || '—', date });
  if (method === 'sync' || base === 'sync') return t('portal.lineage.sync', { date });
  if (method === 'seed' || base === 'seed') return t('portal.lineage.seed', { date });
  if (actor) return t('portal.lineage.manual', { actor, date });
  return t('portal.lineage.unknown', { date });
}

/**
 * Codes turned into words for the page: signal sources, payload keys and values, rule features,
 * bilingual names. Unknown codes stay as they are (they are a tenant's own names).
 */
import { useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { api } from './api';
import type { Lang } from './format';
import { queryKeys } from './query-keys';
import { type Rule, type SignalType, signalTypeName } from './signals';

const has = (t: TFunction, key: string) => t(key, { defaultValue: '' }) !== '';

/**
 * The part of a bilingual name in the UI language: 「通话被拒 Call rejected」 → 通话被拒 in zh-CN and
 * "Call rejected" in English; a name in one language stays whole.
 */
export function localName(name: string, lang: Lang): string {
  const m = /^([^A-Za-z]*[\u3400-\u9fff][^A-Za-z]*?)\s+([A-Za-z][\x20-\x7e≥≤–—’]*)$/.exec(name.trim());
  if (!m) return name;
  return lang === 'en' ? m[2].trim() : m[1].trim();
}

/** A signal source's name: known systems by name (中国政府采购网, 领英), a tenant's own keys as they are. */
export function sourceLabel(t: TFunction, source: string | null | undefined): string {
  if (!source) return '—';
  const key = `labels.source.${source.toLowerCase()}`;
  return has(t, key) ? t(key) : source;
}

/** A payload or subject key in words where known (`days_overdue` → 逾期天数), else the key. */
export function payloadKeyLabel(t: TFunction, key: string): string {
  const last = key.split('.').pop() ?? key;
  const k = `labels.key.${last}`;
  return has(t, k) ? t(k) : key;
}

/** A payload value in words: true/false → 是/否, known codes (wecom, pricing …) → their names. */
export function payloadValueLabel(t: TFunction, value: string): string {
  if (value === 'true') return t('labels.yes');
  if (value === 'false') return t('labels.no');
  const k = `labels.value.${value}`;
  return /^[a-z_]+$/.test(value) && has(t, k) ? t(k) : value;
}

/** `key: value` pairs of a payload (flattened) in words, joined with ` · `. */
export function payloadText(t: TFunction, pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${payloadKeyLabel(t, k)}: ${payloadValueLabel(t, v)}`).join(' · ');
}

const FEATURE_KINDS = ['count', 'rate', 'baseline', 'max_strength', 'latest'] as const;

/**
 * A rule feature in words: `count.payment_overdue` → 「ERP回款逾期·次数」,
 * `latest.payment_overdue.amount` → 「ERP回款逾期·最新·金额」.
 */
export function featureLabel(t: TFunction, key: string, types: SignalType[] | undefined, lang: Lang): string {
  const [kind, type, ...rest] = key.split('.');
  if (!FEATURE_KINDS.includes(kind as (typeof FEATURE_KINDS)[number]) || !type)
    return payloadKeyLabel(t, key);
  const what = [t(`rules.${kind}`), ...rest.map((r) => payloadKeyLabel(t, r))].join(
    lang === 'en' ? ' ' : '·',
  );
  return t('labels.feature', { type: signalTypeName(types, type, lang), what });
}

/** A model feature's name (`owner_win_rate` → 负责人赢单率); the server's English label when unknown. */
export function modelFeatureLabel(t: TFunction, name: string, fallback?: string): string {
  const k = `feature.${name}`;
  if (has(t, k)) return t(k);
  const field = `fields.${name}`;
  return has(t, field) ? t(field) : (fallback ?? name);
}

/** Who did something, from a lineage/timeline actor: `rule:tender_published@v1` → 规则「招标公告」. */
export function actorLabel(
  t: TFunction,
  actor: string | null | undefined,
  ruleName?: (key: string) => string | undefined,
): string | undefined {
  if (!actor) return undefined;
  const rule = /^rule:([\w-]+)(@v\d+)?$/.exec(actor);
  if (rule) return t('labels.ruleActor', { name: ruleName?.(rule[1]) ?? rule[1] });
  if (actor === 'system') return t('labels.system');
  return actor;
}

/** Rule key → its name in the UI language (empty until the rules have loaded, or without access). */
export function useRuleNames(lang: Lang): Map<string, string> {
  const rules = useQuery({
    queryKey: queryKeys.rules.all,
    // the API declares rules as open records: their shape is named in lib/signals.ts
    queryFn: () => api<{ data: Rule[] }>('/rules').then((r) => r.data),
    staleTime: 5 * 60_000,
    retry: false,
  });
  return new Map((rules.data ?? []).map((r) => [r.key, localName(r.name, lang)]));
}

/**
 * Why a bundle waits in the weekly brief, in the UI language. The server writes the circuit
 * breaker's reason as one English sentence with its numbers, then the same in Chinese
 * (interventions.service.ts); other reasons are shown in the UI language's part when bilingual.
 */
export function deliveryReason(t: TFunction, reason: string, lang: Lang): string {
  const breaker =
    /^Circuit breaker: this would be suggestion (\d+) today, above ([\d.]+) × your average ([\d.]+) effective touches a day \(threshold ([\d.]+)\)/.exec(
      reason,
    );
  if (breaker)
    return t('brief.heldBreaker', {
      nth: Number(breaker[1]),
      factor: breaker[2],
      avg: breaker[3],
      threshold: breaker[4],
    });
  return localName(reason, lang);
}

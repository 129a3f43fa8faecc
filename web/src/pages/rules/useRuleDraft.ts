import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Field, RuleGroupType } from 'react-querybuilder';
import { request } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';
import {
  conditionToQuery,
  fieldsInQuery,
  queryToCondition,
  ruleFields,
  type VarDefaults,
} from '../../lib/rules';
import type { Rule, RuleDefinition, useSignalTypes } from '../../lib/signals';

export type SignalTypes = NonNullable<ReturnType<typeof useSignalTypes>['data']>;

/** The editable fields of a rule, as the form holds them (numbers may be '' while typing). */
export type RuleForm = {
  name: string;
  active: boolean;
  signal_types: string[];
  window_days: number;
  cooldown_hours: number;
  severity: RuleDefinition['severity'];
  title: string;
  what_changed: string;
  talk_track: string;
  specialist: string;
  budget: number | string;
  cases: string;
  change_reason: string;
};

export type SetRuleField = <K extends keyof RuleForm>(k: K, v: RuleForm[K]) => void;

function initialForm(rule: Rule, def: RuleDefinition | undefined): RuleForm {
  return {
    name: rule.name,
    active: rule.active,
    signal_types: def?.signal_types ?? [],
    window_days: def?.window_days ?? 7,
    cooldown_hours: def?.cooldown_hours ?? 72,
    severity: def?.severity ?? 'medium',
    title: def?.title ?? '',
    what_changed: def?.what_changed ?? '',
    talk_track: def?.talk_track ?? '',
    specialist: def?.resources?.specialist ?? '',
    budget: def?.resources?.budget ?? '',
    cases: (def?.resources?.cases ?? []).join('\n'),
    change_reason: '',
  };
}

/** The definition a saved form stands for: the old definition with the form's fields over it. */
function toDefinition(
  def: RuleDefinition | undefined,
  form: RuleForm,
  condition: RuleDefinition['condition'],
) {
  const definition: RuleDefinition = {
    ...(def ?? {}),
    signal_types: form.signal_types,
    condition,
    window_days: Number(form.window_days),
    cooldown_hours: Number(form.cooldown_hours),
    severity: form.severity,
    title: form.title,
    what_changed: form.what_changed,
    talk_track: form.talk_track,
    resources: {
      cases: form.cases
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
      specialist: form.specialist.trim() || null,
      budget: form.budget === '' ? null : Number(form.budget),
    },
  };
  return definition;
}

/** The condition builder's fields: those of the chosen signal types plus any the query already uses. */
function useRuleFields(
  types: SignalTypes,
  signalTypes: string[],
  query: RuleGroupType,
  lang: 'zh-CN' | 'en',
) {
  const { t } = useTranslation();
  return useMemo<Field[]>(() => {
    const labels = {
      count: t('rules.count'),
      rate: t('rules.rate'),
      baseline: t('rules.baseline'),
      max_strength: t('rules.max_strength'),
      latest: t('rules.latest'),
    };
    const used = fieldsInQuery(query);
    const typeKeys = new Set(signalTypes);
    for (const f of used) {
      const m = /^(?:count|rate|baseline|max_strength|latest)\.([a-z0-9_]+)/.exec(f);
      if (m) typeKeys.add(m[1]);
    }
    const out = ruleFields(types, [...typeKeys], lang, labels);
    for (const f of used) if (!out.some((x) => x.name === f)) out.push({ name: f, label: f });
    return out;
  }, [types, signalTypes, query, lang, t]);
}

/** A rule being edited: the form, the condition query, the builder's fields and the save (a new version). */
export function useRuleDraft(rule: Rule, types: SignalTypes, lang: 'zh-CN' | 'en') {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const def = rule.definition as RuleDefinition;
  const initial = useMemo(() => conditionToQuery(def?.condition ?? {}), [def]);
  const [query, setQuery] = useState<RuleGroupType>(initial.query);
  const [defaults] = useState<VarDefaults>(initial.defaults);
  const [form, setForm] = useState<RuleForm>(() => initialForm(rule, def));
  const set: SetRuleField = (k, v) => setForm((f) => ({ ...f, [k]: v }));
  const fields = useRuleFields(types, form.signal_types, query, lang);
  const condition = useMemo(() => queryToCondition(query, defaults), [query, defaults]);

  const save = useMutation({
    mutationFn: () => {
      if (!condition) throw new Error(t('rules.invalid'));
      return request('put', '/rules/{id}', {
        path: { id: rule.id },
        body: {
          name: form.name,
          active: form.active,
          definition: toDefinition(def, form, condition),
          change_reason: form.change_reason || undefined,
        },
      }) as Promise<unknown> as Promise<Rule>;
    },
    onSuccess: (r) => {
      notifications.show({ color: 'green', message: t('rules.saved', { version: r.current_version }) });
      void qc.invalidateQueries({ queryKey: queryKeys.rules.all });
    },
  });
  return { form, set, query, setQuery, fields, condition, save };
}

import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type Field, QueryBuilder, type RuleGroupType } from 'react-querybuilder';
import type { Lang } from '../../../lib/format';

const OPERATORS = (lang: Lang) => [
  { name: '=', label: '=' },
  { name: '!=', label: '≠' },
  { name: '<', label: '<' },
  { name: '<=', label: '≤' },
  { name: '>', label: '>' },
  { name: '>=', label: '≥' },
  { name: 'in', label: lang === 'en' ? 'in' : '属于' },
  { name: 'contains', label: lang === 'en' ? 'contains' : '包含' },
  { name: 'null', label: lang === 'en' ? 'is empty' : '为空' },
  { name: 'notNull', label: lang === 'en' ? 'is not empty' : '不为空' },
];

/** The trigger condition on the payload, with the same react-querybuilder editor as the rules, and its JsonLogic. */
export function TriggerEditor({
  fields,
  query,
  setQuery,
  condition,
  lang,
  readOnly,
}: {
  fields: Field[];
  query: RuleGroupType;
  setQuery: (q: RuleGroupType) => void;
  condition: unknown;
  lang: Lang;
  readOnly?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <div>
      <div className="zs-rules" data-testid="trigger-builder">
        <QueryBuilder
          fields={fields.length ? fields : [{ name: '', label: '—' }]}
          query={query}
          onQueryChange={setQuery}
          operators={OPERATORS(lang)}
          combinators={[
            { name: 'and', label: lang === 'en' ? 'AND' : '且 (AND)' },
            { name: 'or', label: lang === 'en' ? 'OR' : '或 (OR)' },
          ]}
          translations={{
            addRule: {
              label: lang === 'en' ? '+ Condition' : '+ 条件',
              title: lang === 'en' ? 'Add condition' : '添加条件',
            },
            addGroup: {
              label: lang === 'en' ? '+ Group' : '+ 条件组',
              title: lang === 'en' ? 'Add group' : '添加条件组',
            },
            removeRule: { label: '×', title: lang === 'en' ? 'Remove condition' : '删除条件' },
            removeGroup: { label: '×', title: lang === 'en' ? 'Remove group' : '删除条件组' },
          }}
          disabled={readOnly}
          controlClassnames={{ queryBuilder: 'queryBuilder-branches' }}
        />
      </div>
      <details>
        <summary>
          <Text span fz="xs" c="dimmed">
            {t('mappings.jsonLogic')}
          </Text>
        </summary>
        <pre className="zs-pre" data-testid="trigger-jsonlogic">
          {JSON.stringify(condition, null, 1)}
        </pre>
      </details>
    </div>
  );
}

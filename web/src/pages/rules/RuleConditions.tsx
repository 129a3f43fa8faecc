import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { type Field, QueryBuilder, type RuleGroupType } from 'react-querybuilder';
import { Section } from '../../components/Timeline';

const OPERATORS = [
  { name: '=', label: '=' },
  { name: '!=', label: '≠' },
  { name: '<', label: '<' },
  { name: '<=', label: '≤' },
  { name: '>', label: '>' },
  { name: '>=', label: '≥' },
  { name: 'between', label: 'between' },
  { name: 'notBetween', label: 'not between' },
  { name: 'null', label: 'is null' },
  { name: 'notNull', label: 'is not null' },
];

/** The condition builder and, folded away, the JsonLogic it stands for. */
export function RuleConditions({
  fields,
  query,
  setQuery,
  condition,
  lang,
  editable,
}: {
  fields: Field[];
  query: RuleGroupType;
  setQuery: (q: RuleGroupType) => void;
  condition: unknown;
  lang: 'zh-CN' | 'en';
  editable: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Section title={t('rules.conditions')}>
      <div className="zs-rules" data-testid="query-builder">
        <QueryBuilder
          fields={fields}
          query={query}
          onQueryChange={setQuery}
          operators={OPERATORS}
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
          disabled={!editable}
          controlClassnames={{ queryBuilder: 'queryBuilder-branches' }}
        />
      </div>
      <details>
        <summary>
          <Text span fz="xs" c="dimmed">
            {t('rules.jsonLogic')}
          </Text>
        </summary>
        <pre className="zs-pre" data-testid="jsonlogic">
          {JSON.stringify(condition, null, 1)}
        </pre>
      </details>
    </Section>
  );
}

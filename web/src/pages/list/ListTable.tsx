import { Checkbox, Paper, Table, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Entity } from '../../lib/fields';
import { type Ctx, LIST_CONFIG } from '../../lib/listConfig';

/** The list's table: a checkbox per row, sortable column heads, the first column links to the record. */
export function ListTable({
  entity,
  rows,
  ctx,
  sort,
  onSort,
  selected,
  onToggle,
  onToggleAll,
}: {
  entity: Entity;
  rows: Record<string, any>[];
  ctx: Ctx;
  sort: string;
  onSort: (key: string) => void;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
  onToggleAll: () => void;
}) {
  const { t } = useTranslation();
  const cfg = LIST_CONFIG[entity];
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  return (
    <Paper withBorder className="zs-table-wrap">
      <Table highlightOnHover striped={false} verticalSpacing="xs" data-testid="list-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={36}>
              <Checkbox
                aria-label={t('common.selectAll')}
                checked={allSelected}
                indeterminate={selected.size > 0 && !allSelected}
                onChange={onToggleAll}
              />
            </Table.Th>
            {cfg.columns.map((c) => {
              const label = t(`fields.${c.key}`);
              const dir =
                c.sort && sort.replace(/^-/, '') === c.sort
                  ? sort.startsWith('-')
                    ? 'descending'
                    : 'ascending'
                  : undefined;
              return (
                <Table.Th
                  key={c.key}
                  className={c.mobile ? undefined : 'zs-hide-mobile'}
                  aria-sort={dir ?? 'none'}
                >
                  {c.sort ? (
                    <UnstyledButton
                      onClick={() => onSort(c.sort!)}
                      aria-label={t('common.sortBy', { field: label })}
                      fw={600}
                      fz="sm"
                    >
                      {label} {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}
                    </UnstyledButton>
                  ) : (
                    label
                  )}
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.id} data-testid="list-row">
              <Table.Td>
                <Checkbox
                  aria-label={t('common.selectRow')}
                  checked={selected.has(r.id)}
                  onChange={() => onToggle(r.id)}
                />
              </Table.Td>
              {cfg.columns.map((c, i) => (
                <Table.Td key={c.key} className={c.mobile ? undefined : 'zs-hide-mobile'}>
                  {i === 0 ? (
                    <Link to={`/${entity}/${r.id}`} style={{ color: 'inherit' }}>
                      {c.render(r, ctx)}
                    </Link>
                  ) : (
                    c.render(r, ctx)
                  )}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

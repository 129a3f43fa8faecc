/** Pieces the admin tabs share: form errors from a problem, a general-errors alert, a table. */
import { Alert, Paper, Table } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ApiError, problemToFieldErrors } from '../../lib/problem';

export function useFormErrors(known: string[]) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  return {
    errors,
    general,
    clear: () => {
      setErrors({});
      setGeneral([]);
    },
    fromError: (e: unknown) => {
      if (e instanceof ApiError) {
        const m = problemToFieldErrors(e.problem, known);
        setErrors(m.fields);
        setGeneral(m.general);
      } else setGeneral([String(e)]);
    },
  };
}

export function GeneralErrors({ list }: { list: string[] }) {
  if (!list.length) return null;
  return (
    <Alert color="red" role="alert">
      {list.map((g) => (
        <div key={g}>{g}</div>
      ))}
    </Alert>
  );
}

export function Tbl({ head, children }: { head: ReactNode[]; children: ReactNode }) {
  return (
    <Paper withBorder className="zs-table-wrap">
      <Table>
        <Table.Thead>
          <Table.Tr>
            {head.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: static header cells
              <Table.Th key={i}>{h}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Paper>
  );
}

import { describe, expect, it } from 'vitest';
import {
  formatAttainment,
  type Quota,
  quarterMonths,
  quarterOf,
  quotaCellErrors,
  quotaCellKey,
  quotaChanges,
  quotaGrid,
  shiftQuarter,
  sumCells,
} from '../lib/predict';

const stored = (over: Partial<Quota>): Quota => ({
  id: 'q1',
  period: '2026-10',
  period_kind: 'month',
  scope: 'rep',
  scope_key: 'ana',
  amount: 100,
  currency: 'CNY',
  note: null,
  source: 'manual',
  created_by: null,
  created_at: '2026-10-01T00:00:00Z',
  updated_at: '2026-10-01T00:00:00Z',
  ...over,
});

describe('quota periods', () => {
  it('maps months to quarters and back', () => {
    expect(quarterOf('2026-11')).toBe('2026-Q4');
    expect(quarterOf('2026-01')).toBe('2026-Q1');
    expect(quarterOf('2026-Q3')).toBe('2026-Q3');
    expect(quarterMonths('2026-Q4')).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(quarterMonths('2027-Q1')).toEqual(['2027-01', '2027-02', '2027-03']);
  });
  it('steps quarters across years', () => {
    expect(shiftQuarter('2026-Q4', 1)).toBe('2027-Q1');
    expect(shiftQuarter('2027-Q1', -1)).toBe('2026-Q4');
    expect(shiftQuarter('2026-Q2', 6)).toBe('2027-Q4');
  });
});

describe('quota editor grid', () => {
  const months = quarterMonths('2026-Q4');
  const rows = [
    stored({ id: 'a10', scope_key: 'ana', period: '2026-10', amount: 100 }),
    stored({ id: 'a11', scope_key: 'ana', period: '2026-11', amount: 110 }),
    stored({ id: 'bq', scope_key: 'bo', period: '2026-Q4', period_kind: 'quarter', amount: 900 }),
    stored({ id: 'x', scope_key: 'gone', period: '2026-10', amount: 5 }),
  ];

  it('fills the cells of the listed reps from their stored month rows only', () => {
    const g = quotaGrid(rows, ['ana', 'bo'], months);
    expect(g[quotaCellKey('ana', '2026-10')]).toBe(100);
    expect(g[quotaCellKey('ana', '2026-12')]).toBe('');
    expect(g[quotaCellKey('bo', '2026-10')]).toBe('');
    expect(Object.keys(g)).toHaveLength(6);
  });

  it('sends changed cells, maps each item to its cell, and deletes emptied stored cells', () => {
    const initial = quotaGrid(rows, ['ana', 'bo'], months);
    const current = {
      ...initial,
      [quotaCellKey('ana', '2026-10')]: 100, // unchanged
      [quotaCellKey('ana', '2026-11')]: '', // emptied → delete a11
      [quotaCellKey('ana', '2026-12')]: 120, // new
      [quotaCellKey('bo', '2026-11')]: '300', // typed as text
    };
    const c = quotaChanges(initial, current, rows);
    expect(c.items).toEqual([
      { period_kind: 'month', period: '2026-12', scope: 'rep', scope_key: 'ana', amount: 120 },
      { period_kind: 'month', period: '2026-11', scope: 'rep', scope_key: 'bo', amount: 300 },
    ]);
    expect(c.cells).toEqual([quotaCellKey('ana', '2026-12'), quotaCellKey('bo', '2026-11')]);
    expect(c.deletes).toEqual(['a11']);
    expect(quotaChanges(initial, initial, rows)).toEqual({ items: [], cells: [], deletes: [] });
  });

  it('sums filled cells; nothing filled is null, not 0', () => {
    const g = { a: 1, b: '', c: 2.5 };
    expect(sumCells(g, ['a', 'b', 'c'])).toBe(3.5);
    expect(sumCells(g, ['b'])).toBeNull();
    expect(sumCells(g, ['a', 'zzz'])).toBe(1);
  });
});

describe('quota errors from problem+json', () => {
  const cells = ['ana|2026-12', 'bo|2026-11'];
  it('places item errors at their cell and keeps the rest general', () => {
    const r = quotaCellErrors(
      {
        status: 422,
        detail: 'Some quotas cannot be stored; nothing was stored',
        errors: [
          { field: '1.amount', reason: 'must be ≥ 0' },
          { field: '1.scope_key', reason: 'no such user in this tenant' },
          { field: '[0].period', reason: 'a month as YYYY-MM' },
          { field: '7.amount', reason: 'out of range' },
          { field: '(root)', reason: 'too many' },
        ],
      },
      cells,
    );
    expect(r.cells).toEqual({
      'bo|2026-11': 'must be ≥ 0; no such user in this tenant',
      'ana|2026-12': 'a month as YYYY-MM',
    });
    expect(r.general).toEqual(['7.amount: out of range', '(root): too many']);
  });
  it('falls back to the detail when there are no field errors', () => {
    expect(quotaCellErrors({ status: 403, detail: 'Your role (rep) lacks the permission' }, cells)).toEqual({
      cells: {},
      general: ['Your role (rep) lacks the permission'],
    });
  });
});

describe('attainment', () => {
  it('is a percentage of quota, or a dash without one', () => {
    expect(formatAttainment(0.853, 'en')).toBe('85%');
    expect(formatAttainment(null, 'en')).toBe('—');
    expect(formatAttainment(undefined, 'zh-CN')).toBe('—');
  });
});

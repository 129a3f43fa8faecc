import { describe, expect, it } from 'vitest';
import { detectLang } from '../i18n';
import { groupCommittee } from '../lib/committee';
import { pipelineByStage, wonLostByMonth } from '../lib/dashboard';
import { buildPayload, FORM_FIELDS, toApiValue } from '../lib/fields';
import { collator, formatDate, formatMoney, formatNumber, sortByName } from '../lib/format';
import { boardReducer, groupByStage, sumByCurrency } from '../lib/kanban';
import { exportUrl } from '../lib/listConfig';
import { suggestMapping } from '../lib/mapping';
import { normaliseField, problemToFieldErrors } from '../lib/problem';
import type { Stage } from '../lib/types';
import { deleteView, loadViews, saveView } from '../lib/views';

describe('formatting', () => {
  it('formats money per locale and currency', () => {
    expect(formatMoney(1234567, 'CNY', 'zh-CN')).toBe('¥1,234,567');
    expect(formatMoney(1234567, 'USD', 'en')).toBe('$1,234,567');
    expect(formatMoney(1000, 'EUR', 'en')).toBe('€1,000');
    expect(formatMoney(1000, 'CNY', 'en')).toBe('¥1,000');
    expect(formatMoney(null)).toBe('—');
    expect(formatMoney(12_500_000, 'CNY', 'zh-CN', true)).toBe('¥1250万');
    expect(formatMoney(12_500_000, 'CNY', 'en', true)).toBe('¥12.5M');
  });
  it('formats dates without shifting calendar dates', () => {
    expect(formatDate('2026-03-01', 'zh-CN')).toBe('2026年3月1日');
    expect(formatDate('2026-03-01', 'en')).toBe('Mar 1, 2026');
    expect(formatDate(null)).toBe('—');
  });
  it('formats numbers', () => {
    expect(formatNumber(12345.678, 'en', 1)).toBe('12,345.7');
  });
  it('sorts Chinese names by pinyin', () => {
    const names = ['张伟', '王芳', '李娜', '安徽电力', '北京银行'];
    expect(sortByName(names, (n) => n, 'zh-CN')).toEqual(['安徽电力', '北京银行', '李娜', '王芳', '张伟']);
    expect(collator('zh-CN').compare('阿里', '百度')).toBeLessThan(0);
  });
});

describe('language detection', () => {
  it('prefers the stored choice, then the browser', () => {
    expect(detectLang('en', ['zh-CN'])).toBe('en');
    expect(detectLang(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(detectLang(null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(detectLang(null, ['fr'])).toBe('en');
    expect(detectLang('bogus', ['zh'])).toBe('zh-CN');
  });
});

describe('problem+json mapping', () => {
  const known = ['name', 'amount', 'expected_close_date', 'custom.budget_code', 'stages'];
  it('puts errors at their field and keeps the rest general', () => {
    const r = problemToFieldErrors(
      {
        status: 422,
        detail: 'Invalid body',
        errors: [
          { field: 'expected_close_date', reason: 'a date as YYYY-MM-DD' },
          { field: 'custom.budget_code', reason: 'required' },
          { field: '/amount', reason: 'must not be negative' },
          { field: 'stages[2].key', reason: 'duplicate' },
          { field: 'unknown_thing', reason: 'nope' },
        ],
      },
      known,
    );
    expect(r.fields).toEqual({
      expected_close_date: 'a date as YYYY-MM-DD',
      'custom.budget_code': 'required',
      amount: 'must not be negative',
      stages: 'duplicate',
    });
    expect(r.general).toEqual(['unknown_thing: nope']);
  });
  it('uses detail when there are no field errors', () => {
    expect(problemToFieldErrors({ status: 409, detail: 'Already exists' }, known).general).toEqual([
      'Already exists',
    ]);
  });
  it('joins several reasons on one field', () => {
    const r = problemToFieldErrors(
      {
        errors: [
          { field: 'name', reason: 'a' },
          { field: 'name', reason: 'b' },
        ],
      },
      known,
    );
    expect(r.fields.name).toBe('a; b');
  });
  it('normalises paths', () => {
    expect(normaliseField('body.custom.budget_code')).toBe('custom.budget_code');
    expect(normaliseField('/emails/0')).toBe('emails');
  });
});

describe('kanban reducer', () => {
  const cards = [
    { id: 'a', stage: 'lead', amount: 100, currency: 'CNY' },
    { id: 'b', stage: 'lead', amount: 50, currency: 'USD' },
    { id: 'c', stage: 'proposal', amount: 200, currency: 'CNY' },
  ];
  const s0 = boardReducer({ cards: [], pending: {} }, { type: 'load', cards });
  it('moves optimistically and confirms', () => {
    const s1 = boardReducer(s0, { type: 'move', id: 'a', to: 'proposal' });
    expect(s1.cards.find((c) => c.id === 'a')!.stage).toBe('proposal');
    expect(s1.pending).toEqual({ a: 'lead' });
    const s2 = boardReducer(s1, { type: 'confirm', id: 'a', card: { stage: 'proposal', amount: 100 } });
    expect(s2.pending).toEqual({});
    expect(s2.cards.find((c) => c.id === 'a')!.stage).toBe('proposal');
  });
  it('rolls back to the original stage on failure, even after two moves', () => {
    let s = boardReducer(s0, { type: 'move', id: 'a', to: 'proposal' });
    s = boardReducer(s, { type: 'move', id: 'a', to: 'won' });
    s = boardReducer(s, { type: 'rollback', id: 'a' });
    expect(s.cards.find((c) => c.id === 'a')!.stage).toBe('lead');
    expect(s.pending).toEqual({});
  });
  it('keeps in-flight moves when data reloads', () => {
    const s1 = boardReducer(s0, { type: 'move', id: 'a', to: 'proposal' });
    const s2 = boardReducer(s1, { type: 'load', cards });
    expect(s2.cards.find((c) => c.id === 'a')!.stage).toBe('proposal');
  });
  it('ignores moves to the same stage', () => {
    expect(boardReducer(s0, { type: 'move', id: 'a', to: 'lead' })).toBe(s0);
  });
  it('groups and sums per currency', () => {
    const g = groupByStage(s0.cards, ['lead', 'proposal', 'won']);
    expect(g.lead!.map((c) => c.id)).toEqual(['a', 'b']);
    expect(g.won).toEqual([]);
    expect(sumByCurrency(g.lead!)).toEqual([
      { currency: 'CNY', amount: 100 },
      { currency: 'USD', amount: 50 },
    ]);
  });
  it('handles 2000 cards quickly', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({
      id: String(i),
      stage: `s${i % 6}`,
      amount: i,
      currency: 'CNY',
    }));
    const t0 = performance.now();
    let s = boardReducer({ cards: [], pending: {} }, { type: 'load', cards: many });
    s = boardReducer(s, { type: 'move', id: '5', to: 's0' });
    groupByStage(s.cards, ['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe('column mapping suggestion', () => {
  it('maps Chinese and English headers', () => {
    const fields = ['name', 'credit_code', 'industry', 'domains', 'phone', 'owner', 'custom.budget_code'];
    expect(
      suggestMapping(
        ['公司名称', '统一社会信用代码', '行业', 'Domain', '电话', 'budget_code', '随便'],
        fields,
      ),
    ).toEqual({
      公司名称: 'name',
      统一社会信用代码: 'credit_code',
      行业: 'industry',
      Domain: 'domains',
      电话: 'phone',
      budget_code: 'custom.budget_code',
    });
  });
  it('uses each field once, exact names first', () => {
    expect(suggestMapping(['客户名称', 'name'], ['name'])).toEqual({ name: 'name' });
  });
});

describe('saved views', () => {
  it('saves, replaces and deletes views', () => {
    const mem = new Map<string, string>();
    const storage = {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
    };
    saveView('accounts', { name: '华东', params: { region_id: 'x' } }, storage);
    saveView('accounts', { name: '华东', params: { region_id: 'y' } }, storage);
    saveView('accounts', { name: 'Mine', params: { owner_id: 'me' } }, storage);
    expect(loadViews('accounts', storage)).toEqual([
      { name: '华东', params: { region_id: 'y' } },
      { name: 'Mine', params: { owner_id: 'me' } },
    ]);
    expect(deleteView('accounts', '华东', storage)).toHaveLength(1);
    mem.set('zs.views.contacts', 'not json');
    expect(loadViews('contacts', storage)).toEqual([]);
  });
  it('builds export URLs with current filters', () => {
    expect(exportUrl('opportunities', { stage: 'a,b', q: '电力' }, 'xlsx')).toBe(
      '/api/v1/opportunities/export?stage=a%2Cb&q=%E7%94%B5%E5%8A%9B&format=xlsx',
    );
  });
});

describe('buying committee', () => {
  it('groups by role and flags missing roles', () => {
    const r = groupCommittee([
      { id: '1', committee_role: 'technical' },
      { id: '2', committee_role: 'technical' },
      { id: '3', committee_role: 'finance' },
      { id: '4', committee_role: null },
    ]);
    expect(r.groups.map((g) => [g.role, g.contacts.length])).toEqual([
      ['technical', 2],
      ['finance', 1],
      ['other', 1],
    ]);
    expect(r.missing).toEqual(['procurement', 'legal', 'esg', 'executive', 'user']);
  });
});

describe('forms', () => {
  it('builds create payloads without empty fields and converts types', () => {
    const body = buildPayload(FORM_FIELDS.opportunities, {
      name: ' 新项目 ',
      amount: '1,000',
      account_id: 'x',
      stage: '',
      expected_close_date: '2026-12-31',
    });
    expect(body).toEqual({
      name: ' 新项目 ',
      amount: 1000,
      account_id: 'x',
      expected_close_date: '2026-12-31',
    });
  });
  it('sends only changed fields on edit', () => {
    const original = { name: 'A', tags: ['x', 'y'], industry: '能源', employees: 10 };
    const body = buildPayload(
      FORM_FIELDS.accounts,
      { name: 'A', tags: 'x, y, z', industry: '', employees: 10 },
      original,
    );
    expect(body).toEqual({ tags: ['x', 'y', 'z'], industry: null });
  });
  it('converts lists with Chinese punctuation', () => {
    expect(toApiValue('list', 'a，b；c')).toEqual(['a', 'b', 'c']);
  });
});

describe('dashboard', () => {
  const stages: Stage[] = [
    { key: 'lead', name: '线索', probability: 10, kind: 'open' },
    { key: 'prop', name: '方案', probability: 50, kind: 'open' },
    { key: 'won', name: '赢单', probability: 100, kind: 'won' },
  ];
  it('sums open pipeline per stage in order', () => {
    expect(
      pipelineByStage(
        [
          { stage: 'prop', amount: 5 },
          { stage: 'prop', amount: 7 },
        ],
        stages,
      ).map((d) => [d.stage.key, d.amount, d.count]),
    ).toEqual([
      ['lead', 0, 0],
      ['prop', 12, 2],
    ]);
  });
  it('buckets won/lost by closing month', () => {
    const r = wonLostByMonth(
      [
        { status: 'won', amount: 10, closed_at: '2026-11-03T00:00:00Z', expected_close_date: '2026-10-01' },
        { status: 'lost', amount: 4, closed_at: null, expected_close_date: '2026-10-15' },
        { status: 'open', amount: 99, closed_at: null, expected_close_date: '2026-11-15' },
      ],
      new Date(2026, 10, 27),
      3,
    );
    expect(r).toEqual([
      { month: '2026-09', won: 0, lost: 0 },
      { month: '2026-10', won: 0, lost: 4 },
      { month: '2026-11', won: 10, lost: 0 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  chartRows,
  type ForecastRow,
  forecastChartOption,
  formatProbability,
  moneyOrDash,
  predictionMap,
  probabilityColor,
  reliabilityOption,
  splitFactors,
} from '../lib/predict';
import {
  conditionToQuery,
  fieldsInQuery,
  queryToCondition,
  ruleFields,
  stripVarDefaults,
} from '../lib/rules';
import { flattenFeatures, type Intervention, newIds, sortInbox } from '../lib/signals';

const v = (path: string, d: unknown = null) => ({ var: [path, d] });
const cnt = (type: string) => v(`count.${type}`, 0);

// conditions of the server's default rules (server/src/modules/interventions/default-rules.ts)
const DEFAULT_CONDITIONS = [
  { and: [{ '>=': [cnt('website_visit'), 5] }, { '>=': [v('rate.website_visit', 0), 3] }] },
  {
    or: [
      { '>=': [cnt('intent_page_view'), 3] },
      { '==': [v('latest.intent_page_view.page_category'), 'competitor_comparison'] },
    ],
  },
  { '<=': [v('latest.competitor_sentiment.sentiment'), -0.5] },
  { '==': [v('latest.job_posting.is_procurement'), true] },
  { '>=': [cnt('tender_notice'), 1] },
  {
    or: [
      { '>=': [v('latest.customs_record.volume_change_pct', 0), 30] },
      { '<=': [v('latest.customs_record.volume_change_pct', 0), -30] },
    ],
  },
  {
    and: [
      { '>=': [v('latest.payment_overdue.days_overdue', 0), 30] },
      { '<': [v('latest.payment_overdue.days_overdue', 0), 90] },
    ],
  },
  {
    and: [
      { '!=': [v('latest.contract_renewal.days_to_renewal'), null] },
      { '<=': [0, v('latest.contract_renewal.days_to_renewal'), 90] },
    ],
  },
];

describe('rule conditions: JsonLogic ↔ react-querybuilder', () => {
  it.each(DEFAULT_CONDITIONS.map((c) => [JSON.stringify(c), c]))('round trip %s', (_, c) => {
    const { query, defaults } = conditionToQuery(c);
    expect(queryToCondition(query, defaults)).toEqual(c);
  });
  it('strips {var:[path, default]} and remembers the default', () => {
    const d = new Map();
    expect(stripVarDefaults({ '>=': [cnt('x'), 1] }, d)).toEqual({ '>=': [{ var: 'count.x' }, 1] });
    expect(d.get('count.x')).toBe(0);
  });
  it('new variables get 0 for counters and null for payload values', () => {
    const q = conditionToQuery({ '>=': [{ var: 'count.a' }, 2] }).query;
    q.rules.push({ field: 'latest.a.title', operator: '=', value: 'x' });
    expect(queryToCondition(q)).toEqual({
      and: [{ '>=': [{ var: ['count.a', 0] }, 2] }, { '==': [{ var: ['latest.a.title', null] }, 'x'] }],
    });
  });
  it('numbers typed as text are sent as numbers; an empty query is no condition', () => {
    const q = { combinator: 'and', rules: [{ field: 'count.a', operator: '>=', value: '3' }] };
    expect(queryToCondition(q)).toEqual({ '>=': [{ var: ['count.a', 0] }, 3] });
    expect(queryToCondition({ combinator: 'and', rules: [] })).toBeNull();
  });
  it('fields per signal type from its payload schema', () => {
    const types = [
      {
        key: 'tender_notice',
        name: '招投标公告',
        name_en: 'Tender notice',
        payload_schema: {
          properties: { title: { type: 'string' }, budget: { type: 'number' }, urgent: { type: 'boolean' } },
        },
      },
    ];
    const f = ruleFields(types, ['tender_notice'], 'en', { count: 'count', latest: 'latest' });
    expect(f.map((x) => x.name)).toEqual([
      'count.tender_notice',
      'rate.tender_notice',
      'baseline.tender_notice',
      'max_strength.tender_notice',
      'latest.tender_notice.title',
      'latest.tender_notice.budget',
      'latest.tender_notice.urgent',
    ]);
    expect(f[0].label).toBe('Tender notice · count');
    expect(f.find((x) => x.name.endsWith('budget'))?.inputType).toBe('number');
    expect(f.find((x) => x.name.endsWith('urgent'))?.valueEditorType).toBe('checkbox');
  });
  it('lists the fields a query uses, nested groups included', () => {
    const { query } = conditionToQuery(DEFAULT_CONDITIONS[1]);
    expect(fieldsInQuery(query).sort()).toEqual([
      'count.intent_page_view',
      'latest.intent_page_view.page_category',
    ]);
  });
});

const row = (over: Partial<ForecastRow>): ForecastRow => ({
  period: '2026-11',
  group_key: 'k',
  group_label: 'A',
  expected: 0,
  p10: 0,
  p90: 0,
  commit: 0,
  quota: null,
  attainment: null,
  won_to_date: 0,
  open_expected: 0,
  run_rate: 0,
  open_deals: 0,
  simulated_mean: 0,
  ...over,
});

describe('predictions and forecast', () => {
  it('formats probabilities (0..1) per language', () => {
    expect(formatProbability(0.634, 'en')).toBe('63%');
    expect(formatProbability(null, 'en')).toBe('—');
    expect(probabilityColor(0.8)).toBe('green');
    expect(probabilityColor(0.05)).toBe('red');
  });
  it('maps predictions by opportunity id', () => {
    const m = predictionMap([
      { opportunity_id: 'a', probability: 0.5, method: 'model', model_version: 2, computed_at: '' },
    ]);
    expect(m.get('a')?.probability).toBe(0.5);
    expect(m.get('b')).toBeUndefined();
  });
  it('splits factors into raising and lowering, strongest first', () => {
    const f = (feature: string, contribution: number) => ({
      feature,
      label: feature,
      value: null,
      contribution,
    });
    const s = splitFactors([f('a', 0.1), f('b', -0.5), f('c', 0.7), f('d', 0), f('e', -0.2)]);
    expect(s.raises.map((x) => x.feature)).toEqual(['c', 'a']);
    expect(s.lowers.map((x) => x.feature)).toEqual(['b', 'e']);
    expect(s.neutral.map((x) => x.feature)).toEqual(['d']);
  });
  it('a missing quota is a dash', () => {
    expect(moneyOrDash(null, 'en')).toBe('—');
    expect(moneyOrDash(1000, 'en')).toMatch(/1,000/);
  });
  it('chart: P10 base + range stack, quota series only when some quota exists', () => {
    const rows = chartRows([
      row({ group_label: 'A', p10: 10, p90: 30, expected: 20, commit: 25 }),
      row({ group_label: 'empty' }),
    ]);
    expect(rows.map((r) => r.group_label)).toEqual(['A']);
    const labels = { range: 'R', expected: 'E', commit: 'C', won: 'W', quota: 'Q' };
    const o = forecastChartOption(rows, labels, 'en');
    expect(o.series[0].data).toEqual([10]);
    expect(o.series[1].data).toEqual([20]);
    expect(o.series.some((s) => s.name === 'Q')).toBe(false);
    const withQuota = forecastChartOption([row({ quota: 50, expected: 1 })], labels, 'en');
    expect(withQuota.series.find((s) => s.name === 'Q')?.data).toEqual([50]);
    expect(o.tooltip.formatter([{ dataIndex: 0 }])).toContain('Q: —');
  });
  it('reliability points skip empty bins', () => {
    const o = reliabilityOption(
      [
        { lower: 0, upper: 0.1, count: 0, meanPredicted: null, observedRate: null },
        { lower: 0.1, upper: 0.2, count: 4, meanPredicted: 0.15, observedRate: 0.25 },
      ],
      { predicted: 'p', observed: 'o', perfect: 'x' },
    );
    expect(o.series[1].data).toEqual([[0.15, 0.25, 4]]);
  });
});

describe('interventions', () => {
  const iv = (
    id: string,
    status: Intervention['status'],
    severity: Intervention['severity'],
    created_at: string,
  ) => ({ id, status, severity, created_at }) as Intervention;
  it('inbox order: open first, then severity, then newest', () => {
    const rows = sortInbox([
      iv('a', 'accepted', 'critical', '2026-11-27T10:00:00Z'),
      iv('b', 'open', 'low', '2026-11-27T11:00:00Z'),
      iv('c', 'open', 'high', '2026-11-27T09:00:00Z'),
      iv('d', 'open', 'high', '2026-11-27T12:00:00Z'),
    ]);
    expect(rows.map((r) => r.id)).toEqual(['d', 'c', 'b', 'a']);
  });
  it('new ids only after the first load', () => {
    expect(newIds(null, [{ id: 'a' }]).size).toBe(0);
    expect([...newIds(new Set(['a']), [{ id: 'a' }, { id: 'b' }])]).toEqual(['b']);
  });
  it('flattens evidence features', () => {
    expect(
      flattenFeatures({
        count: { tender_notice: 1 },
        latest: { t: { title: 'x', tags: ['a', 'b'] } },
        none: null,
      }),
    ).toEqual([
      ['count.tender_notice', '1'],
      ['latest.t.title', 'x'],
      ['latest.t.tags', 'a, b'],
      ['none', '—'],
    ]);
  });
});

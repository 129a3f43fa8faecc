import { describe, expect, it } from 'vitest';
import { type BehaviourEvent, inferBuyingStage, pageTypeOf } from './buying-stage.service.js';

const now = new Date('2026-11-27T12:00:00Z');
const at = (daysAgo: number, minutes = 0) =>
  new Date(now.getTime() - daysAgo * 86_400_000 + minutes * 60_000).toISOString();
const view = (
  page_type: BehaviourEvent['page_type'],
  daysAgo: number,
  extra: Partial<BehaviourEvent> = {},
): BehaviourEvent => ({
  page_type,
  at: at(daysAgo),
  ...extra,
});

describe('inferBuyingStage', () => {
  it('no behaviour ⇒ unknown', () => {
    const r = inferBuyingStage([], now);
    expect(r.stage).toBe('unknown');
    expect(r.evidence.every((e) => !e.fired)).toBe(true);
  });

  it('≥ 3 API-docs views and no pricing in 14 days ⇒ technical_evaluation, with evidence', () => {
    const r = inferBuyingStage(
      [view('api_docs', 1), view('api_docs', 3), view('api_docs', 9), view('product', 2)],
      now,
    );
    expect(r.stage).toBe('technical_evaluation');
    const e = r.evidence.find((x) => x.rule === 'technical_evaluation')!;
    expect(e.fired).toBe(true);
    expect(e.detail).toContain('3 API-docs view(s) and 0 pricing');
    // the numbers as data, for a client that writes the sentence in its own language
    expect(e.params).toEqual({ pricing: 0, api_docs: 3, days: 14 });
  });

  it('API-docs views outside the window or too few do not fire', () => {
    expect(
      inferBuyingStage([view('api_docs', 1), view('api_docs', 3), view('api_docs', 20)], now).stage,
    ).toBe('exploring');
    expect(inferBuyingStage([view('api_docs', 1), view('api_docs', 3)], now).stage).toBe('exploring');
  });

  it('API docs plus a pricing view is not technical but commercial evaluation', () => {
    const r = inferBuyingStage(
      [view('api_docs', 1), view('api_docs', 2), view('api_docs', 3), view('pricing', 4)],
      now,
    );
    expect(r.stage).toBe('commercial_evaluation');
    expect(r.evidence.find((x) => x.rule === 'technical_evaluation')!.fired).toBe(false);
  });

  it('> 240 s on a competitor comparison then back to our product page in the session ⇒ value_tradeoff', () => {
    const r = inferBuyingStage(
      [
        {
          page_type: 'competitor_comparison',
          at: at(2),
          dwell_seconds: 300,
          session_id: 's1',
          url: '/compare/acme-vs-us',
        },
        { page_type: 'product', at: at(2, 6), session_id: 's1' },
      ],
      now,
    );
    expect(r.stage).toBe('value_tradeoff');
    expect(r.evidence[0].detail).toContain('300 s on a competitor comparison page');
    expect(r.evidence[0].params).toMatchObject({ dwell_seconds: 300, threshold_seconds: 240 });
  });

  it('short comparison dwell, or no return in the same session, does not fire value_tradeoff', () => {
    const short = inferBuyingStage(
      [
        { page_type: 'competitor_comparison', at: at(2), dwell_seconds: 200, session_id: 's1' },
        { page_type: 'product', at: at(2, 3), session_id: 's1' },
      ],
      now,
    );
    expect(short.stage).toBe('exploring');
    const otherSession = inferBuyingStage(
      [
        { page_type: 'competitor_comparison', at: at(2), dwell_seconds: 400, session_id: 's1' },
        { page_type: 'product', at: at(2, 3), session_id: 's2' },
      ],
      now,
    );
    expect(otherSession.stage).toBe('exploring');
    // Without session ids, a return more than 30 min later is another session.
    const late = inferBuyingStage(
      [
        { page_type: 'competitor_comparison', at: at(2), dwell_seconds: 400 },
        { page_type: 'product', at: at(2, 45) },
      ],
      now,
    );
    expect(late.stage).toBe('exploring');
  });

  it('maps signal payloads to page types', () => {
    expect(pageTypeOf({ page_category: 'api_docs' })).toBe('api_docs');
    expect(pageTypeOf({ url: 'https://zhongshu.example/docs/api/auth' })).toBe('api_docs');
    expect(pageTypeOf({ url: 'https://zhongshu.example/pricing' })).toBe('pricing');
    expect(pageTypeOf({ url: 'https://zhongshu.example/compare/salesforce' })).toBe('competitor_comparison');
    expect(pageTypeOf({ url: 'https://zhongshu.example/product/forecast' })).toBe('product');
    expect(pageTypeOf({ url: 'https://zhongshu.example/about' })).toBe('other');
  });
});

import i18n from 'i18next';
import { describe, expect, it } from 'vitest';
import '../i18n';
import { evidenceDetail } from '../components/Predict';
import {
  actorLabel,
  deliveryReason,
  featureLabel,
  localName,
  modelFeatureLabel,
  payloadText,
  sourceLabel,
} from '../lib/labels';
import { relevanceBasis } from '../pages/sources/SourceMatrix';

const zh = i18n.getFixedT('zh-CN');
const en = i18n.getFixedT('en');
const types = [{ key: 'payment_overdue', name: 'ERP回款逾期', name_en: 'Payment overdue (ERP)' }] as never;

describe('codes in words (zh-CN and en)', () => {
  it('picks the UI language’s part of a bilingual name', () => {
    expect(localName('通话被拒 Call rejected', 'zh-CN')).toBe('通话被拒');
    expect(localName('通话被拒 Call rejected', 'en')).toBe('Call rejected');
    expect(localName('严重逾期 Payment overdue ≥ 90 days', 'en')).toBe('Payment overdue ≥ 90 days');
    expect(localName('华东大客户', 'en')).toBe('华东大客户');
    expect(localName('Key accounts', 'zh-CN')).toBe('Key accounts');
  });

  it('names sources, payload keys and values, and keeps unknown ones', () => {
    expect(sourceLabel(zh, 'ccgp')).toBe('中国政府采购网');
    expect(sourceLabel(zh, 'my_crawler')).toBe('my_crawler');
    expect(
      payloadText(zh, [
        ['person', '刘总'],
        ['left_company', 'true'],
        ['platform', 'wecom'],
      ]),
    ).toBe('人员: 刘总 · 已离职: 是 · 平台: 企业微信');
    expect(payloadText(en, [['left_company', 'false']])).toBe('left the company: no');
    expect(payloadText(zh, [['x_custom', 'abc']])).toBe('x_custom: abc');
  });

  it('names rule features, model features and rule actors', () => {
    expect(featureLabel(zh, 'count.payment_overdue', types, 'zh-CN')).toBe('ERP回款逾期·次数');
    expect(featureLabel(zh, 'latest.payment_overdue.amount', types, 'zh-CN')).toBe('ERP回款逾期·最新·金额');
    expect(modelFeatureLabel(zh, 'owner_win_rate', "Owner's win rate")).toBe('负责人赢单率');
    expect(actorLabel(zh, 'rule:tender_published@v1', () => '招标公告')).toBe('规则「招标公告」');
  });

  it('writes the server’s sentences (brief deferral, relevance basis, buying stage) in the UI language', () => {
    const held =
      'Circuit breaker: this would be suggestion 7 today, above 1.5 × your average 4 effective touches a day (threshold 6); moved to the weekly strategy brief. 熔断：今日建议数超过日均有效触达的 1.5 倍，已转入周度策略简报。';
    expect(deliveryReason(zh, held, 'zh-CN')).toBe(
      '这是今天的第 7 条建议，超过了你日均有效触达（4）的 1.5 倍（阈值 6），已转入每周简报',
    );
    expect(deliveryReason(en, held, 'en')).toMatch(/^this would have been suggestion 7 today/);
    expect(relevanceBasis(zh, 'win-rate lift 1.8 over 12 closed opportunities')).toBe(
      '有该信号的商机赢单率是整体的 1.8 倍（基于 12 个已关闭商机）',
    );
    const stage = { counts: { pricing: 2, api_docs: 1 }, window_days: 14, events_considered: 3 } as never;
    expect(evidenceDetail(zh, { rule: 'commercial_evaluation', fired: true, detail: 'English' }, stage)).toBe(
      '14 天内看了 2 次价格页、1 次 API 文档（价格页 2 次以上，或价格页 1 次且 API 文档 3 次以上即命中）',
    );
  });
});

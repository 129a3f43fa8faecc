import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { leadScoreMap, MODEL_KINDS, trainPath } from '../lib/predict';

describe('lead score helpers', () => {
  it('maps scores by contact id', () => {
    const m = leadScoreMap([
      { contact_id: 'a', score: 0.4, method: 'model', model_version: 2, computed_at: '2026-11-27T00:00:00Z' },
      {
        contact_id: 'b',
        score: 0.1,
        method: 'rules_fallback',
        model_version: 1,
        computed_at: '2026-11-27T00:00:00Z',
      },
    ]);
    expect(m.get('a')?.score).toBe(0.4);
    expect(m.get('b')?.method).toBe('rules_fallback');
    expect(m.has('c')).toBe(false);
  });

  it('each model kind has its train endpoint and labels in both languages', () => {
    expect(trainPath('lead_score')).toBe('/predict/lead-score/train');
    expect(trainPath('win_probability')).toBe('/predict/win-probability/train');
    for (const k of MODEL_KINDS) {
      expect((en.model as Record<string, string>)[`kind_${k}`]).toBeTruthy();
      expect((zhCN.model as Record<string, string>)[`kind_${k}`]).toBeTruthy();
    }
    for (const key of ['method_model', 'method_rules_fallback', 'hint_model', 'hint_rules_fallback'])
      expect((zhCN.lead as Record<string, string>)[key]).toBeTruthy();
  });
});

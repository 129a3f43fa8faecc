import i18n from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import '../i18n';
import { lineageWords } from './lineage-words';

const at = '2026-03-02T12:00:00Z';

describe('lineage in plain words (R-5.4)', () => {
  beforeAll(async () => {
    await i18n.changeLanguage('zh-CN');
  });
  const t = i18n.t.bind(i18n);

  it('says where each datum came from the way the portal shows it', () => {
    expect(lineageWords({ method: 'manual', source: 'webform', at }, t)).toBe('来自官网表单，2026-03-02');
    expect(
      lineageWords(
        { method: 'ai_extracted', source: 'activity:meeting_notes', detail: '模型 qwen-max', at },
        t,
      ),
    ).toBe('AI 从会议纪要提取（模型 qwen-max），2026-03-02');
    expect(lineageWords({ method: 'manual', source: 'ui', actor_name: 'CSM 王芳', at }, t)).toBe(
      '由 CSM 王芳 录入，2026-03-02',
    );
    expect(
      lineageWords({ method: 'manual', source: 'portal', actor_type: 'customer', actor_name: '张伟', at }, t),
    ).toBe('您本人通过门户修改，2026-03-02');
    expect(lineageWords({ method: 'import', source: 'import:xlsx', actorName: '李娜', at }, t)).toBe(
      '由 李娜 从文件导入，2026-03-02',
    );
    expect(lineageWords({ method: 'model', source: 'predict', detail: 'lead-score v3', at }, t)).toBe(
      '模型计算得出（lead-score v3），2026-03-02',
    );
    expect(lineageWords(null, t)).toBe('来源未记录');
  });

  it('in English too', async () => {
    await i18n.changeLanguage('en');
    expect(lineageWords({ method: 'manual', source: 'portal', actor_type: 'customer', at }, t)).toBe(
      'Changed by you through this portal, 2026-03-02',
    );
    expect(lineageWords({ method: 'manual', source: 'ui', actor_name: 'Fang Wang', at }, t)).toBe(
      'Entered by Fang Wang, 2026-03-02',
    );
    await i18n.changeLanguage('zh-CN');
  });
});

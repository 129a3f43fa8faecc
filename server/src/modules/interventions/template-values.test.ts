import { describe, expect, it } from 'vitest';
import { renderTemplate } from './interventions.service.js';

describe('template values in words', () => {
  it('puts codes and flags into a Chinese template in Chinese, an English one in English', () => {
    const ctx = {
      account: { name: 'open' },
      latest: {
        meeting_note: { platform: 'wecom', mentions_competitor: true },
        call_outcome: { outcome: 'rejected' },
      },
    };
    expect(
      renderTemplate(
        '{{latest.meeting_note.platform}} 会议，提及竞品：{{latest.meeting_note.mentions_competitor}}；{{latest.call_outcome.outcome}}',
        ctx,
      ),
    ).toBe('企业微信 会议，提及竞品：是；被拒');
    expect(
      renderTemplate(
        '{{latest.meeting_note.platform}} meeting, competitor: {{latest.meeting_note.mentions_competitor}}',
        ctx,
      ),
    ).toBe('WeCom meeting, competitor: yes');
    // names stay as written, unknown values as they are, missing ones as —
    expect(
      renderTemplate('{{account.name}}：{{latest.x.y}} {{latest.call_outcome.note}}', {
        ...ctx,
        latest: { x: { y: 'abc' } },
      }),
    ).toBe('open：abc —');
  });
});

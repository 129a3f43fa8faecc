import { describe, expect, it } from 'vitest';
import type { DataSubject } from '../../platform/privacy/personal-data.js';
import {
  ERASED_PERSON,
  mentions,
  redactJson,
  redactText,
  subjectNeedles,
} from '../../platform/privacy/personal-data-scrub.js';

/** Redaction takes out the person and never other people's words (issue 13 review items 2 and 5). */

const subject = (over: Partial<DataSubject> = {}): DataSubject => ({
  tenantId: 't',
  contactId: 'c',
  emails: [],
  phones: [],
  names: [],
  ...over,
});

describe('redaction', () => {
  it('matches Latin-script names as whole words only, case-insensitively', () => {
    const n = subjectNeedles(subject({ names: ['Li', 'Ann'] }));
    expect(redactText('Client asked about Linux licensing', n)).toBe('Client asked about Linux licensing');
    expect(redactText('Annual call with li and ANN, then Li.', n)).toBe(
      `Annual call with ${ERASED_PERSON} and ${ERASED_PERSON}, then ${ERASED_PERSON}.`,
    );
    expect(mentions('Linux', n)).toBe(false);
    expect(mentions('和Li开会', n)).toBe(true);
  });

  it('never rewrites JSON keys, only string values', () => {
    const n = subjectNeedles(subject({ names: ['Ann'] }));
    const r = redactJson({ annual_revenue: 5, ann: 'ann', nested: [{ Ann: 'met Ann' }] }, n);
    expect(r.value).toEqual({
      annual_revenue: 5,
      ann: ERASED_PERSON,
      nested: [{ Ann: `met ${ERASED_PERSON}` }],
    });
    expect(r.changed).toBe(true);
    expect(redactJson({ annual_revenue: 'x' }, n).changed).toBe(false);
  });

  it('leaves another contact’s longer CJK name intact', () => {
    const n = subjectNeedles(subject({ names: ['王芳'], protectedNames: ['王芳芳'] }));
    expect(redactText('王芳芳说预算已批，王芳没回', n)).toBe(`王芳芳说预算已批，${ERASED_PERSON}没回`);
    expect(mentions('王芳芳说预算已批', n)).toBe(false);
  });

  it('leaves a name another contact bears exactly, except in rows linked to the person', () => {
    const s = subject({ names: ['陈杰'], sharedNames: ['陈杰'], emails: ['cj@x.cn'] });
    expect(redactText('陈杰 cj@x.cn', subjectNeedles(s))).toBe(`陈杰 ${ERASED_PERSON}`);
    expect(redactText('陈杰 cj@x.cn', subjectNeedles(s, { linked: true }))).toBe(
      `${ERASED_PERSON} ${ERASED_PERSON}`,
    );
  });

  it('finds phones in national form and with spaces or dashes', () => {
    const n = subjectNeedles(subject({ phones: ['+86 138 0013 8000'] }));
    for (const text of [
      '13800138000',
      '138-0013-8000',
      '138 0013 8000',
      '+86 138 0013 8000',
      '+8613800138000',
    ])
      expect(redactText(`请拨${text}。`, n), text).toBe(`请拨${ERASED_PERSON}。`);
    // A longer number that merely contains the digits is someone else's.
    expect(redactText('订单 9138001380001', n)).toBe('订单 9138001380001');
  });
});

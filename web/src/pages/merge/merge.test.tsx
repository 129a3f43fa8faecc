import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import i18n from 'i18next';
import { type ReactNode, useState } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../i18n';
import { setLang } from '../../i18n';
import { ApiError } from '../../lib/problem';
import { installDomShims } from '../../test/dom-shims';
import { DuplicateAlert, DuplicateAlertView } from './DuplicateAlert';
import { MergeDialogView } from './MergeDialog';
import { visibleMerges } from './MergeHistory';
import {
  canUndo,
  type Duplicate,
  defaultChoice,
  differingFields,
  duplicateQuery,
  type Merge,
  type MergeBody,
  type MergeRecord,
  mergeBody,
  mergedInto,
  mergeTimelineText,
  movedText,
  undoRefusal,
} from './merge-lib';

installDomShims();

const wrap = (node: ReactNode) => render(<MantineProvider env="test">{node}</MantineProvider>);
const t = i18n.t.bind(i18n);
/** The radio input Mantine renders for a test id (the id sits on the input or on its wrapper). */
const radio = (scope: Pick<typeof screen, 'getByTestId'>, id: string) => {
  const el = scope.getByTestId(id);
  return (el instanceof HTMLInputElement ? el : el.querySelector('input')) as HTMLInputElement;
};

const current: MergeRecord = {
  id: 'a-current',
  name: '华瑞科技有限公司',
  credit_code: '91110000600037341L',
  industry: '制造业',
  phone: null,
  domains: ['huarui.com'],
  website: 'https://huarui.com',
  employees: 300,
  tags: ['重点客户'],
  address: '北京市海淀区',
};
const other: MergeRecord = {
  id: 'a-other',
  name: '华瑞科技',
  credit_code: '91110000600037341L',
  industry: '电子制造',
  phone: '010-88886666',
  domains: ['huarui.com'],
  website: 'https://huarui.com',
  employees: 300,
  tags: ['重点客户', '华南'],
  address: null,
};
const dup: Duplicate = {
  id: 'a-other',
  name: '华瑞科技',
  reasons: ['credit_code', 'domain'],
  confidence: 0.98,
  credit_code: '91110000600037341L',
  domain: 'huarui.com',
  owner_id: null,
};

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A create form's name input with the duplicate warning under it. */
function Form({ initial }: { initial: Record<string, unknown> }) {
  const [values, setValues] = useState(initial);
  return (
    <>
      <input
        aria-label="name"
        value={String(values.name ?? '')}
        onChange={(e) => setValues({ ...values, name: e.target.value })}
      />
      <DuplicateAlert entity="accounts" values={values} />
    </>
  );
}

/** The merge dialog's view with its state held the way MergeDialog holds it. */
function Harness({ onConfirm }: { onConfirm: (b: MergeBody) => void }) {
  const [survivorId, setSurvivorId] = useState(current.id);
  const [picks, setPicks] = useState<Record<string, string>>({});
  return (
    <MergeDialogView
      entity="accounts"
      current={current}
      suggestions={{ loading: false, error: false, data: [dup] }}
      onSuggestion={() => {}}
      other={other}
      otherState="ready"
      survivorId={survivorId}
      onSurvivor={setSurvivorId}
      picks={picks}
      onPick={(f, id) => setPicks((p) => ({ ...p, [f]: id }))}
      display={(r, f) => {
        const v = r[f];
        return v === null || v === undefined || v === '' ? null : Array.isArray(v) ? v.join(', ') : String(v);
      }}
      onConfirm={onConfirm}
      onCancel={() => {}}
    />
  );
}

describe('merge rules', () => {
  it('asks the duplicates endpoint only what the form already says', () => {
    expect(duplicateQuery('accounts', { name: ' 华', domains: '', credit_code: '' })).toBeNull();
    expect(
      duplicateQuery('accounts', {
        name: '华瑞科技',
        domains: 'HuaRui.com, huarui.cn',
        credit_code: '91110000600037341l',
      }),
    ).toEqual({ name: '华瑞科技', domain: 'huarui.com', credit_code: '91110000600037341L' });
    expect(duplicateQuery('accounts', { name: '', website: 'www.huarui.com/about' })).toEqual({
      domain: 'huarui.com',
    });
    // a contact's name alone matches too many people: only together with the account
    expect(duplicateQuery('contacts', { name: '张伟', emails: '', phones: '' })).toBeNull();
    expect(
      duplicateQuery('contacts', {
        name: '张伟',
        account_id: 'acc',
        emails: 'Zhang.Wei@HuaRui.com',
        phones: '138',
      }),
    ).toEqual({ name: '张伟', account_id: 'acc', email: 'zhang.wei@huarui.com' });
  });

  it('compares only differing fields and keeps a value where the survivor has none', () => {
    expect(differingFields('accounts', current, other).map((d) => d.name)).toEqual([
      'name',
      'industry',
      'phone',
      'address',
      'tags',
    ]);
    expect(defaultChoice('industry', current, other)).toBe(current.id);
    expect(defaultChoice('phone', current, other)).toBe(other.id);
    expect(mergeBody('accounts', current, other, { industry: other.id, address: other.id })).toEqual({
      survivor_id: current.id,
      merged_id: other.id,
      fields: { name: 'survivor', industry: 'merged', phone: 'merged', address: 'merged' },
    });
  });

  it('reads what moved, leaving out zeros, and says why an undo was refused', () => {
    act(() => setLang('zh-CN'));
    expect(movedText(t, { contacts: 3, opportunities: 2, activities: 0 })).toBe('联系人 3 位、商机 2 个');
    expect(movedText(t, {})).toBe('');
    const now = Date.parse('2026-12-01T00:00:00Z');
    const open = { status: 'merged' as const, undo_until: '2026-12-20T00:00:00Z' };
    expect(canUndo(open, now)).toBe(true);
    expect(canUndo({ ...open, undo_until: '2026-11-30T00:00:00Z' }, now)).toBe(false);
    expect(undoRefusal(t, { ...open, undo_until: '2026-11-30T00:00:00Z' }, now)).toBe(
      '已超过 30 天的撤销期限，这次合并不能再撤销。',
    );
    expect(undoRefusal(t, { ...open, status: 'undone' }, now)).toBe('这次合并已经撤销过了。');
    act(() => setLang('en'));
    expect(movedText(t, { contacts: 1, signals: 4 })).toBe('1 contacts, 4 signals');
  });

  it('words the merge items of a timeline in the UI language', () => {
    act(() => setLang('zh-CN'));
    expect(mergeTimelineText(t, { kind: 'merge', data: { merged_name: '华瑞科技' } })).toEqual({
      badge: '合并',
      title: '合并了“华瑞科技”',
    });
    expect(mergeTimelineText(t, { kind: 'merge_undone', data: { merged_name: '华瑞科技' } })?.title).toBe(
      '撤销了与“华瑞科技”的合并',
    );
    expect(mergeTimelineText(t, { kind: 'change', data: {} })).toBeNull();
  });

  it('finds the survivor of a merged-away record in the 404 problem', () => {
    expect(
      mergedInto(new ApiError(404, { title: 'Not Found', status: 404, merged_into: 'a-1' } as never)),
    ).toBe('a-1');
    expect(mergedInto(new ApiError(404, { title: 'Not Found', status: 404 }))).toBeNull();
    expect(mergedInto(new Error('x'))).toBeNull();
  });

  it('shows on the survivor the merges into it that can be undone and the recently undone ones', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const base: Merge = {
      id: 'm1',
      entity: 'account',
      survivor_id: 'a-current',
      merged_id: 'a-other',
      merged_name: '华瑞科技',
      status: 'merged',
      created_at: '2026-11-30T00:00:00Z',
      created_by: 'u1',
      created_by_name: '王芳',
      undo_until: '2026-12-30T00:00:00Z',
      undone_at: null,
      moved: {},
    };
    const shown = visibleMerges(
      [
        base,
        { ...base, id: 'm2', undo_until: '2026-11-01T00:00:00Z' }, // past the 30 days
        { ...base, id: 'm3', status: 'undone', undone_at: '2026-11-29T00:00:00Z' },
        { ...base, id: 'm4', status: 'undone', undone_at: '2026-10-01T00:00:00Z' },
        { ...base, id: 'm5', survivor_id: 'someone-else' },
      ],
      'a-current',
      now,
    );
    expect(shown.map((m) => m.id)).toEqual(['m1', 'm3']);
  });
});

describe('DuplicateAlertView', () => {
  it('names the existing account and why, in zh-CN, with open and create-anyway', () => {
    act(() => setLang('zh-CN'));
    const onOpen = vi.fn();
    const onContinue = vi.fn();
    wrap(
      <DuplicateAlertView
        entity="accounts"
        duplicates={[dup, { ...dup, id: 'a-3', name: '华瑞科技（北京）', reasons: ['name'] }]}
        onOpen={onOpen}
        onContinue={onContinue}
      />,
    );
    expect(screen.getByTestId('duplicate-title').textContent).toBe(
      '可能已存在：华瑞科技（统一社会信用代码相同 / 域名相同）等 2 条',
    );
    fireEvent.click(screen.getByRole('button', { name: '打开已有客户' }));
    expect(onOpen).toHaveBeenCalledWith(dup);
    fireEvent.click(screen.getByRole('button', { name: '华瑞科技（北京）' }));
    expect(onOpen).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'a-3' }));
    fireEvent.click(screen.getByRole('button', { name: '仍然新建' }));
    expect(onContinue).toHaveBeenCalled();
  });

  it('reads naturally in English for a contact', () => {
    act(() => setLang('en'));
    wrap(
      <DuplicateAlertView
        entity="contacts"
        duplicates={[
          {
            id: 'c1',
            name: 'Zhang Wei',
            reasons: ['email'],
            confidence: 1,
            email: 'zhang.wei@huarui.com',
            phone: null,
            account_id: null,
          },
        ]}
        onOpen={() => {}}
        onContinue={() => {}}
      />,
    );
    expect(screen.getByTestId('duplicate-title').textContent).toBe(
      'May already exist: Zhang Wei (same email)',
    );
    expect(screen.getByRole('button', { name: 'Open existing contact' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create anyway' })).toBeTruthy();
  });

  it('shows nothing when there is no duplicate', () => {
    wrap(<DuplicateAlertView entity="accounts" duplicates={[]} onOpen={() => {}} onContinue={() => {}} />);
    expect(screen.queryByTestId('duplicate-alert')).toBeNull();
  });
});

describe('DuplicateAlert (with the duplicates endpoint)', () => {
  it('asks after typing stops, warns, and stays away once the user creates anyway', async () => {
    act(() => setLang('zh-CN'));
    const calls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        calls.push(url);
        return new Response(JSON.stringify({ data: [dup] }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      }),
    );
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    wrap(
      <QueryClientProvider client={qc}>
        <MemoryRouter>
          <Routes>
            <Route path="*" element={<Form initial={{ name: '' }} />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const input = screen.getByLabelText('name');
    fireEvent.change(input, { target: { value: '华' } });
    fireEvent.change(input, { target: { value: '华瑞' } });
    fireEvent.change(input, { target: { value: '华瑞科技' } });
    await screen.findByTestId('duplicate-alert', undefined, { timeout: 2000 });
    // debounced: one request, for what was typed last
    expect(calls).toHaveLength(1);
    expect(decodeURIComponent(calls[0]!)).toContain('/api/v1/accounts/duplicates?name=华瑞科技');
    fireEvent.click(screen.getByRole('button', { name: '仍然新建' }));
    expect(screen.queryByTestId('duplicate-alert')).toBeNull();
    // still the same match while typing on: no warning again
    fireEvent.change(input, { target: { value: '华瑞科技有限' } });
    await waitFor(() => expect(calls).toHaveLength(2), { timeout: 2000 });
    expect(screen.queryByTestId('duplicate-alert')).toBeNull();
  });
});

describe('MergeDialogView', () => {
  it('lists only differing fields, side by side, and sends the values the user picked', () => {
    act(() => setLang('zh-CN'));
    const onConfirm = vi.fn();
    wrap(<Harness onConfirm={onConfirm} />);
    const table = screen.getByTestId('merge-fields');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-field'))).toEqual([
      'name',
      'industry',
      'phone',
      'address',
      'tags',
    ]);
    // tags are not picked: both records' tags stay (and nothing is sent for them)
    expect(within(table).getByTestId('merge-combined-tags').textContent).toBe('重点客户、华南两边的值都保留');
    // the survivor has no phone: the other record's phone is kept unless the user says otherwise
    const phone = radio(within(table), 'merge-pick-phone-merged');
    expect(phone.checked).toBe(true);
    expect(within(rows[2]!).getByText('（空）')).toBeTruthy();
    fireEvent.click(radio(within(table), 'merge-pick-industry-merged'));
    expect(screen.getByTestId('merge-summary').textContent).toContain(
      '相关联系人、商机、活动、信号、跟进建议和预测将全部转到保留的记录上；30 天内可撤销。',
    );
    fireEvent.click(screen.getByTestId('merge-confirm'));
    expect(onConfirm).toHaveBeenCalledWith({
      survivor_id: current.id,
      merged_id: other.id,
      fields: { name: 'survivor', industry: 'merged', phone: 'merged', address: 'survivor' },
    });
  });

  it('keeps the user’s picks when the other record is chosen to stay', () => {
    act(() => setLang('zh-CN'));
    const onConfirm = vi.fn();
    wrap(<Harness onConfirm={onConfirm} />);
    // the user wants no phone number on the result (the current record's empty value), then lets the other record stay
    fireEvent.click(radio(screen, 'merge-pick-phone-survivor'));
    const cards = screen.getAllByTestId('merge-survivor');
    fireEvent.click(cards.find((c) => c.getAttribute('data-id') === other.id)!);
    expect(screen.getByTestId('merge-summary').textContent).toContain('合并后再打开“华瑞科技有限公司”');
    // the pick follows the value, not the side: the empty phone is now on the merged side
    expect(radio(screen, 'merge-pick-phone-merged').checked).toBe(true);
    fireEvent.click(screen.getByTestId('merge-confirm'));
    expect(onConfirm).toHaveBeenCalledWith({
      survivor_id: other.id,
      merged_id: current.id,
      // address: the survivor has none, so the current record's is kept
      fields: { name: 'survivor', industry: 'survivor', phone: 'merged', address: 'merged' },
    });
  });

  it('offers the suggested duplicates before a record is picked, and cannot merge yet', () => {
    act(() => setLang('zh-CN'));
    const onSuggestion = vi.fn();
    wrap(
      <MergeDialogView
        entity="accounts"
        current={current}
        suggestions={{ loading: false, error: false, data: [dup] }}
        onSuggestion={onSuggestion}
        other={null}
        otherState="none"
        survivorId={current.id}
        onSurvivor={() => {}}
        picks={{}}
        onPick={() => {}}
        display={() => null}
        onConfirm={() => {}}
        onCancel={() => {}}
      />,
    );
    const s = screen.getByTestId('merge-suggestion');
    expect(within(s).getByText('统一社会信用代码相同 / 域名相同')).toBeTruthy();
    expect((screen.getByTestId('merge-confirm') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(s);
    expect(onSuggestion).toHaveBeenCalledWith(dup);
  });

  it('says so when no duplicate was found, and shows a refused merge in words', () => {
    act(() => setLang('zh-CN'));
    wrap(
      <MergeDialogView
        entity="contacts"
        current={{ id: 'c1', name: '张伟' }}
        suggestions={{ loading: false, error: false, data: [] }}
        onSuggestion={() => {}}
        other={null}
        otherState="none"
        survivorId="c1"
        onSurvivor={() => {}}
        picks={{}}
        onPick={() => {}}
        display={() => null}
        error={
          new ApiError(422, {
            title: 'Unprocessable',
            status: 422,
            errors: [{ field: 'merged_id', reason: '不能与自己合并' }],
          })
        }
        onConfirm={() => {}}
        onCancel={() => {}}
      />,
    );
    expect(screen.getByTestId('merge-no-suggestions').textContent).toBe(
      '没有找到疑似重复的记录，可以在上方搜索。',
    );
    expect(screen.getByTestId('merge-error').textContent).toContain('不能与自己合并');
  });
});

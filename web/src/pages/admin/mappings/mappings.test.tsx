import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../i18n';
import { setLang } from '../../../i18n';
import { installDomShims } from '../../../test/dom-shims';
import { MappingEditor } from './MappingEditor';
import {
  insertPath,
  type Mapping,
  parseSample,
  pathStep,
  samplePaths,
  type TargetInfo,
} from './mappings-lib';

installDomShims();

describe('mapping helpers', () => {
  it('builds the path tree of a sample (arrays walked through their items, odd keys in backticks)', () => {
    const tree = samplePaths({ a: { b: 1, 'c d': 'x' }, items: [{ sku: 'A' }, { qty: 2 }], 客户: '华为' });
    expect(tree.map((n) => n.path)).toEqual(['a', 'items', '`客户`']);
    expect(tree[0].children.map((n) => n.path)).toEqual(['a.b', 'a.`c d`']);
    expect(tree[1].children.map((n) => n.path)).toEqual(['items.sku', 'items.qty']);
    expect(tree[1].preview).toBe('[2]');
    expect(pathStep('name')).toBe('name');
  });

  it('inserts a path at the caret, or appends', () => {
    expect(insertPath('', 'a.b', null)).toEqual({ text: 'a.b', caret: 3 });
    expect(insertPath("'x' & ", 'a.b', null).text).toBe("'x' & a.b");
    expect(insertPath('$upper()', 'name', { start: 7, end: 7 })).toEqual({ text: '$upper(name)', caret: 11 });
    expect(insertPath('old', 'new', { start: 0, end: 3 }).text).toBe('new');
  });

  it('reports a sample that is not JSON', () => {
    expect(parseSample('{"a":1}')).toEqual({ value: { a: 1 }, error: null });
    expect(parseSample('{a:1}').error).toBeTruthy();
    expect(parseSample('  ')).toEqual({ value: null, error: null });
  });
});

const target: TargetInfo = {
  target: 'signal',
  label: { en: 'Signal', 'zh-CN': '信号' },
  fields: [
    { key: 'type', label: { en: 'Signal type', 'zh-CN': '信号类型' }, required: true },
    { key: 'occurred_at', label: { en: 'Occurred at', 'zh-CN': '发生时间' }, required: true },
    {
      key: 'company_name',
      label: { en: 'Company name', 'zh-CN': '公司名称' },
      required: false,
      group: 'subject',
    },
    { key: 'payload', label: { en: 'Payload', 'zh-CN': '信号内容' }, required: false, open: true },
  ],
};
const mapping: Mapping = {
  id: '6f1c1d9e-0000-4000-8000-000000000001',
  name: '官网访问',
  description: null,
  target: 'signal',
  source_id: null,
  active_version: 2,
  status: 'active',
  draft: {
    sample: { event: 'page_view', visitor: { company: '华为' }, ts: '2026-11-30T10:00:00+08:00' },
    fields: { type: "'website_visit'", occurred_at: 'ts' },
    trigger: null,
  },
  draft_updated_at: '2026-11-30T02:00:00Z',
  created_at: '2026-11-30T02:00:00Z',
  updated_at: '2026-11-30T02:00:00Z',
};

describe('MappingEditor against a stubbed network', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('previews as you type and shows the error at the field; the picker fills the selected field', async () => {
    act(() => setLang('zh-CN'));
    const previews: { fields: Record<string, string>; sample: unknown }[] = [];
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: string, init: RequestInit = {}) => {
        const body = init.body ? JSON.parse(String(init.body)) : undefined;
        if (input === '/api/v1/mappings/preview') {
          previews.push(body);
          const fields = body.fields as Record<string, string>;
          const broken = (fields.company_name ?? '').includes('(');
          return json(200, {
            target: 'signal',
            record: {},
            values: { type: 'website_visit', occurred_at: '2026-11-30T10:00:00+08:00' },
            errors: broken
              ? [
                  {
                    field: 'company_name',
                    kind: 'syntax',
                    reason: '表达式写法有误（第 17 个字符附近）：表达式结尾前缺少 )',
                    reasons: { en: 'x', 'zh-CN': 'y' },
                  },
                ]
              : [],
            trigger: { passes: null, error: null },
          });
        }
        if (input.includes('/versions') || input.includes('/runs')) return json(200, { data: [] });
        return json(404, { status: 404, title: 'Not Found' });
      }),
    );
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const { container } = render(
      <QueryClientProvider client={qc}>
        <MantineProvider env="test">
          <MappingEditor mapping={mapping} target={target} onBack={() => {}} />
        </MantineProvider>
      </QueryClientProvider>,
    );
    expect(screen.getByTestId('active-badge').textContent).toBe('已启用 v2');
    expect(screen.getByTestId('draft-badge').textContent).toBe('草稿');
    // the first preview shows each field's value under its input
    await waitFor(() => expect(screen.getByTestId('value-type').textContent).toBe('= website_visit'));

    expect(screen.queryByText('有未保存的修改')).toBeNull();

    const company = container.querySelector<HTMLInputElement>('[data-field="company_name"]');
    if (!company) throw new Error('no company_name input');
    fireEvent.focus(company);
    // the picker puts the clicked path into the selected field
    fireEvent.click(screen.getByTitle('visitor.company'));
    expect(company.value).toBe('visitor.company');
    expect(screen.getByText('有未保存的修改')).toBeTruthy();

    fireEvent.change(company, { target: { value: '$substring(visitor.company, 0' } });
    expect(await screen.findByText('表达式写法有误（第 17 个字符附近）：表达式结尾前缺少 )')).toBeTruthy();
    await waitFor(() => expect(company.getAttribute('aria-invalid')).toBe('true'));
    expect(previews.at(-1)?.fields.company_name).toBe('$substring(visitor.company, 0');

    // a sample that is not JSON is reported at the sample, and not previewed
    const count = previews.length;
    fireEvent.change(screen.getByTestId('sample'), { target: { value: '{"event": ' } });
    expect(await screen.findByText(/JSON 格式有误/)).toBeTruthy();
    await new Promise((r) => setTimeout(r, 600));
    expect(previews.length).toBe(count);
  });
});

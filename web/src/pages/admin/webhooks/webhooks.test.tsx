import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../i18n';
import { setLang } from '../../../i18n';
import { installDomShims } from '../../../test/dom-shims';
import { WebhooksTab } from '../WebhooksTab';
import { DeliveryRows } from './Deliveries';
import { DeliveryDetailView } from './DeliveryDetail';
import { EndpointFormView } from './EndpointForm';
import { EndpointCard } from './Endpoints';
import {
  type Delivery,
  type DeliveryDetail,
  type Endpoint,
  type EventType,
  endpointBody,
  formOf,
  localToIso,
  parseCondition,
} from './webhooks-lib';

installDomShims();

const wrap = (node: ReactNode) => render(<MantineProvider env="test">{node}</MantineProvider>);

const eventTypes: EventType[] = [
  { name: 'accounts.*', when: null },
  { name: 'accounts.created', when: 'an account was created' },
  { name: 'opportunities.updated', when: 'an opportunity changed' },
];

const endpoint: Endpoint = {
  id: '7d0f5c52-1111-4a4a-9a9a-000000000001',
  url: 'https://erp.example.com/hooks',
  description: 'ERP 同步',
  event_types: ['accounts.*', 'opportunities.updated'],
  condition: { '==': [{ var: 'data.record.industry' }, '制造业'] },
  status: 'disabled',
  disabled_reason: 'gone',
  disabled_at: '2026-11-30T02:00:00Z',
  failing_since: '2026-11-29T02:00:00Z',
  secret_rotating_until: null,
  created_at: '2026-11-01T02:00:00Z',
  updated_at: '2026-11-30T02:00:00Z',
};

const delivery: DeliveryDetail = {
  id: 'd1',
  endpoint_id: endpoint.id,
  message_id: 'msg_01',
  event_type: 'accounts.created',
  status: 'succeeded',
  next_attempt_at: null,
  last_attempt_at: '2026-11-30T02:05:00Z',
  last_status_code: 200,
  last_error: null,
  created_at: '2026-11-30T02:00:00Z',
  message: {
    id: 'msg_01',
    event_type: 'accounts.created',
    payload: { type: 'accounts.created', data: { record: { name: '华瑞科技' } } },
    created_at: '2026-11-30T02:00:00Z',
  },
  attempts: [
    {
      id: 'a1',
      at: '2026-11-30T02:00:01Z',
      status_code: null,
      duration_ms: 12,
      request_headers: {},
      response_excerpt: null,
      error: 'connect ECONNREFUSED 127.0.0.1:9',
      trigger: 'schedule',
    },
    {
      id: 'a2',
      at: '2026-11-30T02:05:00Z',
      status_code: 200,
      duration_ms: 34,
      request_headers: {},
      response_excerpt: 'ok from receiver',
      error: null,
      trigger: 'replay',
    },
  ],
};
const { attempts: _, message: __, ...deliveryRow } = delivery;
const row: Delivery = { ...deliveryRow, attempts: 2 };

describe('webhook helpers', () => {
  it('reads the condition text as JsonLogic: blank is none, JSON must be an object', () => {
    expect(parseCondition('  ')).toEqual({ ok: true, value: null });
    expect(parseCondition('{"==": [1, 1]}')).toEqual({ ok: true, value: { '==': [1, 1] } });
    expect(parseCondition('[1]')).toEqual({ ok: false, error: 'notObject' });
    expect(parseCondition('{"==": [1,')).toMatchObject({ ok: false, error: 'invalid' });
  });

  it('builds the body from the form and the form from an endpoint', () => {
    const form = formOf(endpoint);
    expect(form.description).toBe('ERP 同步');
    expect(JSON.parse(form.condition)).toEqual(endpoint.condition);
    expect(endpointBody({ ...form, url: ' https://x.example/h ', description: ' ' }, null)).toEqual({
      url: 'https://x.example/h',
      description: null,
      event_types: ['accounts.*', 'opportunities.updated'],
      condition: null,
    });
    expect(localToIso('')).toBeNull();
    expect(localToIso('2026-11-30T08:00')).toBe(new Date('2026-11-30T08:00').toISOString());
  });
});

describe('EndpointFormView', () => {
  it('refuses a condition that is not JSON at the field, in zh-CN, and sends nothing', () => {
    act(() => setLang('zh-CN'));
    const onSubmit = vi.fn();
    wrap(<EndpointFormView eventTypes={eventTypes} submitLabel="创建" onSubmit={onSubmit} />);
    fireEvent.change(screen.getByRole('textbox', { name: /推送地址/ }), {
      target: { value: 'https://erp.example.com/hooks' },
    });
    const condition = screen.getByRole('textbox', { name: /推送条件/ });
    fireEvent.change(condition, { target: { value: '{"==": [1,' } });
    fireEvent.click(screen.getByTestId('webhook-submit'));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(condition.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/JSON 格式有误/)).toBeTruthy();
    fireEvent.change(condition, { target: { value: '[1, 2]' } });
    fireEvent.click(screen.getByTestId('webhook-submit'));
    expect(screen.getByText('JsonLogic 条件须为 JSON 对象，例如 {"==": [1, 1]}')).toBeTruthy();
    fireEvent.change(condition, { target: { value: '{"==": [{"var": "type"}, "accounts.created"]}' } });
    fireEvent.click(screen.getByTestId('webhook-submit'));
    expect(onSubmit).toHaveBeenCalledWith({
      url: 'https://erp.example.com/hooks',
      description: null,
      event_types: [],
      condition: { '==': [{ var: 'type' }, 'accounts.created'] },
    });
  });

  it('shows the server reasons at their fields and the rest above the form (en)', () => {
    act(() => setLang('en'));
    wrap(
      <EndpointFormView
        eventTypes={eventTypes}
        initial={formOf(endpoint)}
        errors={{
          condition: 'unknown JsonLogic operation "nosuchop"',
          event_types: 'no event accounts.exploded',
        }}
        general={['Something else']}
        submitLabel="Save"
        onSubmit={() => {}}
      />,
    );
    expect(screen.getByRole('textbox', { name: /Condition/ }).getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('unknown JsonLogic operation "nosuchop"')).toBeTruthy();
    expect(screen.getByText('no event accounts.exploded')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Something else');
  });

  it('offers the events with when each is sent', async () => {
    act(() => setLang('zh-CN'));
    wrap(<EndpointFormView eventTypes={eventTypes} submitLabel="创建" onSubmit={() => {}} />);
    fireEvent.click(screen.getByRole('textbox', { name: /订阅事件/ }));
    expect(await screen.findByText('an account was created')).toBeTruthy();
    expect(screen.getByText('accounts 的全部事件')).toBeTruthy();
  });
});

describe('EndpointCard', () => {
  it('says why an endpoint is disabled and offers to enable it', () => {
    act(() => setLang('zh-CN'));
    const onAction = vi.fn();
    wrap(<EndpointCard endpoint={endpoint} onAction={onAction} />);
    const card = screen.getByTestId('webhook-endpoint');
    expect(within(card).getByText('已停用')).toBeTruthy();
    expect(within(card).getByText(/对方返回 410/)).toBeTruthy();
    expect(within(card).getByText('有推送条件')).toBeTruthy();
    fireEvent.click(within(card).getByTestId('endpoint-test'));
    expect(onAction).toHaveBeenCalledWith('test', endpoint);
  });
});

describe('deliveries', () => {
  it('lists deliveries with status and last code; a row opens its detail', () => {
    act(() => setLang('zh-CN'));
    const onOpen = vi.fn();
    wrap(
      <DeliveryRows
        rows={[row, { ...row, id: 'd2', status: 'failed', last_status_code: 503 }]}
        endpoints={[endpoint]}
        onOpen={onOpen}
      />,
    );
    const rows = screen.getAllByTestId('delivery-row');
    expect(within(rows[0]!).getByText('成功')).toBeTruthy();
    expect(within(rows[1]!).getByText('失败')).toBeTruthy();
    expect(within(rows[1]!).getByText('503')).toBeTruthy();
    expect(within(rows[0]!).getByText('ERP 同步')).toBeTruthy();
    fireEvent.click(rows[1]!);
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'd2' }));
  });

  it('lists them as cards on a phone, with the same status and code', () => {
    act(() => setLang('en'));
    const onOpen = vi.fn();
    wrap(
      <DeliveryRows
        rows={[{ ...row, id: 'd3', status: 'pending', last_status_code: null, attempts: 3 }]}
        endpoints={[endpoint]}
        onOpen={onOpen}
        compact
      />,
    );
    const card = screen.getByTestId('delivery-row');
    expect(screen.queryByRole('table')).toBeNull();
    expect(within(card).getByText('Retrying')).toBeTruthy();
    expect(within(card).getByTestId('delivery-code').textContent).toBe('no response');
    fireEvent.click(card);
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ id: 'd3' }));
  });

  it('shows the payload and every attempt (time, code, duration, response, error, trigger)', () => {
    act(() => setLang('zh-CN'));
    const onReplay = vi.fn();
    wrap(<DeliveryDetailView delivery={delivery} onReplay={onReplay} />);
    const attempts = screen.getAllByTestId('delivery-attempt');
    expect(attempts).toHaveLength(2);
    expect(within(attempts[0]!).getByText('无响应')).toBeTruthy();
    expect(within(attempts[0]!).getByText(/ECONNREFUSED/)).toBeTruthy();
    expect(within(attempts[0]!).getByText('自动推送')).toBeTruthy();
    expect(within(attempts[1]!).getByText('200')).toBeTruthy();
    expect(within(attempts[1]!).getByText('34 ms')).toBeTruthy();
    expect(within(attempts[1]!).getByText('ok from receiver')).toBeTruthy();
    expect(within(attempts[1]!).getByText('重新推送')).toBeTruthy();
    expect(screen.getByTestId('delivery-payload').textContent).toContain('华瑞科技');
    fireEvent.click(screen.getByTestId('delivery-replay'));
    expect(onReplay).toHaveBeenCalledTimes(1);
  });
});

describe('WebhooksTab against a stubbed network', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the empty state, creates an endpoint and shows its secret once', async () => {
    act(() => setLang('zh-CN'));
    const made: Endpoint[] = [];
    const calls: { method: string; url: string; body: unknown }[] = [];
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: string, init: RequestInit = {}) => {
        const method = init.method ?? 'GET';
        const body = init.body ? JSON.parse(String(init.body)) : undefined;
        calls.push({ method, url: input, body });
        if (input.startsWith('/api/v1/webhooks/event-types')) return json(200, { data: eventTypes });
        if (input.startsWith('/api/v1/webhooks/endpoints') && method === 'GET')
          return json(200, { data: made, next_cursor: null });
        if (input === '/api/v1/webhooks/endpoints' && method === 'POST') {
          if (!String(body.url).startsWith('http'))
            return json(400, {
              status: 400,
              title: 'Bad Request',
              errors: [{ field: 'url', reason: '须为 http:// 或 https:// 地址' }],
            });
          const row = { ...endpoint, ...body, id: 'e-new', status: 'enabled', disabled_reason: null };
          made.push(row);
          return json(201, { ...row, secret: 'whsec_c2VjcmV0LXNob3duLW9uY2U=' });
        }
        return json(404, { status: 404, title: 'Not Found' });
      }),
    );
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={qc}>
        <MantineProvider env="test">
          <WebhooksTab />
        </MantineProvider>
      </QueryClientProvider>,
    );
    expect(await screen.findByText('还没有推送地址，添加后即可接收事件。')).toBeTruthy();
    fireEvent.click(screen.getByTestId('webhook-new'));
    const url = await screen.findByRole('textbox', { name: /推送地址/ });
    fireEvent.change(url, { target: { value: 'ftp://erp' } });
    fireEvent.click(screen.getByTestId('webhook-submit'));
    expect(await screen.findByText('须为 http:// 或 https:// 地址')).toBeTruthy();
    expect(url.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(url, { target: { value: 'https://erp.example.com/hooks' } });
    fireEvent.click(screen.getByTestId('webhook-submit'));
    expect((await screen.findByTestId('webhook-secret-once')).textContent).toBe(
      'whsec_c2VjcmV0LXNob3duLW9uY2U=',
    );
    fireEvent.click(screen.getByTestId('webhook-created-done'));
    await waitFor(() => expect(screen.getAllByTestId('webhook-endpoint')).toHaveLength(1));
    expect(screen.queryByText('whsec_c2VjcmV0LXNob3duLW9uY2U=')).toBeNull();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.at(-1)?.body).toEqual({
      url: 'https://erp.example.com/hooks',
      description: null,
      event_types: [],
      condition: null,
    });
  });
});

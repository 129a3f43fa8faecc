import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { webhookDispatcher } from './webhooks.dispatcher.js';
import { fanOut, type OutboxEvent } from './webhooks.service.js';

/** A local receiver: records every request; `answer` decides each status code. */
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let answer: (r: Received) => number = () => 200;

/** A local SMTP server: the admins' notices arrive here. */
let smtp: SMTPServer;
const mails: { to: string; subject: string; text: string }[] = [];

let t: TestServer;
const admin = () => t.tenantA.tokens.admin;

async function settle() {
  await t.server.platform.bus.settle();
  await webhookDispatcher(t.server.platform).settle();
}

/** What was still in flight when a wait gave up: events not dispatched (with their last error) and deliveries. */
async function inFlight(): Promise<string> {
  const db = t.server.platform.database;
  const events = await db.query(
    `select name, attempts, claimed_until, last_error from domain_events where dispatched_at is null order by id limit 20`,
  );
  const deliveries = await db.query(
    `select status, attempts, next_attempt_at, last_status_code, last_error from webhook_deliveries order by created_at desc limit 10`,
  );
  return JSON.stringify({ events: events.rows, deliveries: deliveries.rows });
}

/** Waits (≤ 20 s) until check passes; the retry delays are scaled down to milliseconds here. */
async function eventually(check: () => Promise<boolean>) {
  const until = Date.now() + 20_000;
  for (;;) {
    await settle();
    if (await check()) return;
    if (Date.now() > until) throw new Error(`condition not reached in 20 s; in flight: ${await inFlight()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createEndpoint(body: Record<string, unknown>) {
  const res = await t.request('POST', '/api/v1/webhooks/endpoints', { token: admin(), body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
}

function verify(r: Received, secret: string) {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  }) as { type: string; data: Record<string, unknown> };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const r = { headers: req.headers, body };
      received.push(r);
      res.writeHead(answer(r), { 'content-type': 'text/plain' }).end('ok from receiver');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      simpleParser(stream).then((m) => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          subject: m.subject ?? '',
          text: m.text ?? '',
        });
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  t = await startTestServer({
    outbound: { allow: ['127.0.0.1'] },
    mail: { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, from: 'Zhongshu <no-reply@zhongshu.test>' },
    webhooks: { retryScale: 0.000001 },
  });
  await settle(); // the set-up's own events, before any endpoint exists
}, 120_000);

afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('outbound webhooks', () => {
  it('are managed by admins only, checked in business words, and per tenant', async () => {
    const rep = await t.request('GET', '/api/v1/webhooks/endpoints', { token: t.tenantA.tokens.rep });
    expect(rep.statusCode).toBe(403);
    const badType = await t.request('POST', '/api/v1/webhooks/endpoints', {
      token: admin(),
      body: { url: receiverUrl, event_types: ['accounts.exploded'] },
    });
    expect(badType.statusCode).toBe(422);
    expect(badType.json().errors[0].field).toBe('event_types');
    const badUrl = await t.request('POST', '/api/v1/webhooks/endpoints', {
      token: admin(),
      body: { url: 'ftp://example.com/x' },
    });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().errors[0].field).toBe('url');
    const badLogic = await t.request('POST', '/api/v1/webhooks/endpoints', {
      token: admin(),
      headers: { 'accept-language': 'zh-CN' },
      body: { url: receiverUrl, condition: { nosuchop: [1, 2] } },
    });
    expect(badLogic.statusCode).toBe(422);
    expect(badLogic.json().errors[0].field).toBe('condition');

    const ep = await createEndpoint({
      url: receiverUrl,
      description: 'ERP',
      event_types: ['opportunities.*'],
    });
    expect(ep.secret).toMatch(/^whsec_/);
    const list = await t.request('GET', '/api/v1/webhooks/endpoints', { token: admin() });
    expect(list.json().data.map((e: { id: string }) => e.id)).toContain(ep.id);
    expect(JSON.stringify(list.json())).not.toContain(ep.secret);
    const other = await t.request('GET', `/api/v1/webhooks/endpoints/${ep.id}`, {
      token: t.tenantB.tokens.admin,
    });
    expect(other.statusCode).toBe(404);
    const types = await t.request('GET', '/api/v1/webhooks/event-types', { token: admin() });
    const names = types.json().data.map((e: { name: string }) => e.name);
    expect(names).toEqual(
      expect.arrayContaining(['accounts.created', 'signals.ingested', 'interventions.created']),
    );
    const zh = await t.request('GET', '/api/v1/webhooks/event-types', {
      token: admin(),
      headers: { 'accept-language': 'zh-CN' },
    });
    const when = new Map(zh.json().data.map((e: { name: string; when: string | null }) => [e.name, e.when]));
    expect(when.get('accounts.created')).toBe('客户新建（附完整记录）');
    expect(when.get('interventions.created')).toMatch(/^规则生成了新的跟进建议/);
    await t.request('DELETE', `/api/v1/webhooks/endpoints/${ep.id}`, { token: admin() });
  });

  it('deliver signed events an endpoint subscribed to, filtered by type and JsonLogic condition', async () => {
    received.length = 0;
    const all = await createEndpoint({ url: `${receiverUrl}?all`, event_types: ['accounts.created'] });
    const onlyMfg = await createEndpoint({
      url: `${receiverUrl}?mfg`,
      event_types: ['accounts.*'],
      condition: { '==': [{ var: 'data.record.industry' }, '制造业'] },
    });
    for (const [name, industry] of [
      ['华东精密机械有限公司', '制造业'],
      ['北京云图软件有限公司', '软件'],
    ])
      expect(
        (await t.request('POST', '/api/v1/accounts', { token: admin(), body: { name, industry } }))
          .statusCode,
      ).toBe(201);
    await eventually(async () => received.length >= 3);
    const toAll = received.filter(
      (r) => String(r.headers['user-agent']).startsWith('Zhongshu') && r.body.includes('华东'),
    );
    expect(toAll.length).toBe(2); // both endpoints want the manufacturer
    const software = received.filter((r) => r.body.includes('北京云图'));
    expect(software.length).toBe(1); // only the unfiltered endpoint
    const payload = verify(software[0], all.secret);
    expect(payload.type).toBe('accounts.created');
    expect((payload.data.record as { name: string }).name).toBe('北京云图软件有限公司');
    expect(() => verify(software[0], onlyMfg.secret)).toThrow();

    const log = await t.request('GET', `/api/v1/webhooks/deliveries?endpoint_id=${onlyMfg.id}`, {
      token: admin(),
    });
    expect(log.json().data).toHaveLength(1);
    const detail = await t.request('GET', `/api/v1/webhooks/deliveries/${log.json().data[0].id}`, {
      token: admin(),
    });
    expect(detail.json().status).toBe('succeeded');
    expect(detail.json().attempts[0]).toMatchObject({
      status_code: 200,
      response_excerpt: 'ok from receiver',
    });
    for (const e of [all, onlyMfg])
      await t.request('DELETE', `/api/v1/webhooks/endpoints/${e.id}`, { token: admin() });
  });

  it('retry failures on the schedule until a success, and replay or recover on demand', async () => {
    received.length = 0;
    let failuresLeft = 2;
    answer = () => (failuresLeft-- > 0 ? 503 : 200);
    const ep = await createEndpoint({ url: `${receiverUrl}?retry`, event_types: ['contacts.created'] });
    await t.request('POST', '/api/v1/contacts', { token: admin(), body: { name: '王晓明' } });
    let deliveryId = '';
    await eventually(async () => {
      const log = await t.request('GET', `/api/v1/webhooks/deliveries?endpoint_id=${ep.id}`, {
        token: admin(),
      });
      deliveryId = log.json().data[0]?.id ?? '';
      return log.json().data[0]?.status === 'succeeded';
    });
    const detail = (
      await t.request('GET', `/api/v1/webhooks/deliveries/${deliveryId}`, { token: admin() })
    ).json();
    expect(detail.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([200, 503, 503]);
    // Every attempt carried the same message id: the receiver can drop duplicates.
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);

    const replay = await t.request('POST', `/api/v1/webhooks/deliveries/${deliveryId}/replay`, {
      token: admin(),
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ ok: true, status_code: 200 });

    // Down for a while: every attempt fails until the schedule ends → failed; then recover.
    answer = () => 500;
    await t.request('POST', '/api/v1/contacts', { token: admin(), body: { name: '李娜' } });
    await eventually(async () => {
      const log = await t.request('GET', `/api/v1/webhooks/deliveries?endpoint_id=${ep.id}&status=failed`, {
        token: admin(),
      });
      return log.json().data.length === 1;
    });
    const failed = (
      await t.request('GET', `/api/v1/webhooks/deliveries?endpoint_id=${ep.id}&status=failed`, {
        token: admin(),
      })
    ).json().data[0];
    expect(failed.attempts).toBe(10);
    answer = () => 200;
    const since = new Date(Date.now() - 3600_000).toISOString();
    const rec = await t.request('POST', `/api/v1/webhooks/endpoints/${ep.id}/recover`, {
      token: admin(),
      body: { since },
    });
    expect(rec.statusCode).toBe(202);
    expect(rec.json().queued).toBe(1); // the failed one; the succeeded one is left alone
    await eventually(async () => {
      const d = await t.request('GET', `/api/v1/webhooks/deliveries/${failed.id}`, { token: admin() });
      return d.json().status === 'succeeded';
    });
    await t.request('DELETE', `/api/v1/webhooks/endpoints/${ep.id}`, { token: admin() });
  });

  it('sign with both secrets during a rotation, and only the new one after', async () => {
    received.length = 0;
    answer = () => 200;
    const ep = await createEndpoint({ url: `${receiverUrl}?rotate`, event_types: ['webhooks.test'] });
    const rotated = await t.request('POST', `/api/v1/webhooks/endpoints/${ep.id}/secret/rotate`, {
      token: admin(),
      body: { keep_hours: 24 },
    });
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().secret as string;
    const test = await t.request('POST', `/api/v1/webhooks/endpoints/${ep.id}/test`, { token: admin() });
    expect(test.json()).toMatchObject({ ok: true, status_code: 200 });
    const last = received[received.length - 1];
    expect(String(last.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(last, ep.secret).type).toBe('webhooks.test');
    expect(verify(last, fresh).type).toBe('webhooks.test');

    await t.request('POST', `/api/v1/webhooks/endpoints/${ep.id}/secret/rotate`, {
      token: admin(),
      body: { keep_hours: 0 },
    });
    const secrets = (
      await t.request('GET', `/api/v1/webhooks/endpoints/${ep.id}/secret`, { token: admin() })
    ).json();
    expect(secrets.secrets).toHaveLength(1);
    await t.request('POST', `/api/v1/webhooks/endpoints/${ep.id}/test`, { token: admin() });
    const after = received[received.length - 1];
    expect(verify(after, secrets.secrets[0].secret).type).toBe('webhooks.test');
    expect(() => verify(after, fresh)).toThrow();
    // The change log records the rotations, never a secret.
    const history = await t.request('GET', '/api/v1/audit?entity=webhook_endpoints', { token: admin() });
    if (history.statusCode === 200) expect(history.body).not.toContain(fresh);
    await t.request('DELETE', `/api/v1/webhooks/endpoints/${ep.id}`, { token: admin() });
  });

  it('disable an endpoint that answers 410 or fails for 5 days, and mail the admins', async () => {
    answer = () => 410;
    const gone = await createEndpoint({ url: `${receiverUrl}?gone`, event_types: ['webhooks.test'] });
    const attempt = await t.request('POST', `/api/v1/webhooks/endpoints/${gone.id}/test`, { token: admin() });
    expect(attempt.json()).toMatchObject({ ok: false, status_code: 410 });
    const ep = (await t.request('GET', `/api/v1/webhooks/endpoints/${gone.id}`, { token: admin() })).json();
    expect(ep).toMatchObject({ status: 'disabled', disabled_reason: 'gone' });
    await eventually(async () => mails.some((m) => m.subject.includes('?gone')));
    const mail = mails.find((m) => m.subject.includes('?gone'));
    expect(mail?.to).toBe('admin@acme.test');
    expect(mail?.text).toContain('已被自动停用');

    answer = () => 500;
    const failing = await createEndpoint({ url: `${receiverUrl}?failing`, event_types: ['webhooks.test'] });
    await t.server.platform.database.query(
      `update webhook_endpoints set failing_since = now() - interval '6 days' where id = $1`,
      [failing.id],
    );
    await t.request('POST', `/api/v1/webhooks/endpoints/${failing.id}/test`, { token: admin() });
    const f = (await t.request('GET', `/api/v1/webhooks/endpoints/${failing.id}`, { token: admin() })).json();
    expect(f).toMatchObject({ status: 'disabled', disabled_reason: 'failing' });

    // Enabled again: the failure state is cleared.
    answer = () => 200;
    const enabled = await t.request('PATCH', `/api/v1/webhooks/endpoints/${failing.id}`, {
      token: admin(),
      body: { status: 'enabled' },
    });
    expect(enabled.json()).toMatchObject({ status: 'enabled', disabled_reason: null, failing_since: null });
    for (const e of [gone, failing])
      await t.request('DELETE', `/api/v1/webhooks/endpoints/${e.id}`, { token: admin() });
  });

  it('queue each event once per endpoint however often the relay delivers it, and page the log', async () => {
    answer = () => 200;
    const ep = await createEndpoint({ url: `${receiverUrl}?paging`, event_types: ['products.created'] });
    for (let i = 0; i < 5; i++)
      await t.request('POST', '/api/v1/products', {
        token: admin(),
        body: { name: `分页产品 ${i}`, sku: `PG-${i}` },
      });
    const { rows } = await t.server.platform.database.query<OutboxEvent>(
      `select id, tenant_id, name, entity, entity_id, payload, created_at::text from domain_events
        where name = 'products.created' order by id desc limit 1`,
    );
    // At-least-once: the same event handed over three times queues one delivery.
    for (let i = 0; i < 3; i++)
      await t.server.platform.database.tenantTx(rows[0].tenant_id, (tx) => fanOut(tx, rows[0]));
    await settle();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await t.request(
        'GET',
        `/api/v1/webhooks/deliveries?endpoint_id=${ep.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin() },
      );
      expect(page.statusCode).toBe(200);
      seen.push(...page.json().data.map((d: { id: string }) => d.id));
      cursor = page.json().next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const bad = await t.request('GET', '/api/v1/webhooks/deliveries?cursor=zzz', { token: admin() });
    expect(bad.statusCode).toBe(400);
    await t.request('DELETE', `/api/v1/webhooks/endpoints/${ep.id}`, { token: admin() });
  });
});

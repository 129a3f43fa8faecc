#!/usr/bin/env node
// Browser tests for outbound webhooks (issue 10, item 3), in zh-CN: an admin adds an endpoint that
// points at a local receiver started here (validation errors at the field first), copies the secret
// shown once, sends a test event (HTTP 200, signature verified by `standardwebhooks`), sees the
// delivery with status 200 and its attempts, replays it, receives a real `accounts.created` event,
// disables/enables the endpoint, recovers since a time and deletes it.
//   from e2e/run.mjs: webhooksTests({ test, browser, base, api, pageErrors })
//                     (the server must allow 127.0.0.1 as an outbound address:
//                     startServer({ env: { ZHONGSHU_OUTBOUND_ALLOW: '127.0.0.1' } }))
//   alone:            node e2e/webhooks.mjs                (fresh server, only these tests)
//                     node e2e/webhooks.mjs --screenshots  (also docs/screenshots/webhooks-*.png)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { login, ROOT, runStandalone } from './lib.mjs';

const { Webhook } = createRequire(join(ROOT, 'server', 'package.json'))('standardwebhooks');

/** A local receiver: records every request, answers 200 "ok from receiver". */
export async function startReceiver() {
  const received = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok from receiver');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/hooks/zhongshu`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

function verify(r, secret) {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });
}

/** Waits until check() is truthy (≤ timeout), calling between tries `between` (e.g. a refresh click). */
async function eventually(check, { timeout = 20_000, between = async () => {}, what = 'condition' } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what} not reached in ${timeout} ms`);
    await between();
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Error text shown under the input named `name`. */
const fieldError = (page, name) =>
  page.locator(`.mantine-InputWrapper-root:has([name="${name}"]) .mantine-InputWrapper-error`).first();

export function webhooksTests({ test, browser, base, api, pageErrors = [] }) {
  test('webhooks: admin adds an endpoint, sends a test event and sees the delivery with status 200 (zh-CN)', async () => {
    const receiver = await startReceiver();
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(20_000);
    await ctx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    let endpointId = null;
    try {
      const before = (await api.call('/webhooks/endpoints?limit=200')).data;
      await login(page, base);
      await page.goto(`${base}/admin/webhooks`);
      await page.getByTestId('webhooks-tab').waitFor();
      if (before.length === 0) await page.getByText('还没有推送地址，添加后即可接收事件。').waitFor();

      // The form: a condition that is not JSON is refused at the field before sending…
      await page.getByTestId('webhook-new').click();
      const drawer = page.getByTestId('webhook-form');
      await drawer.locator('input[name=url]').fill(receiver.url);
      await drawer.locator('input[name=description]').fill('E2E 接收端');
      await page.getByRole('textbox', { name: '订阅事件' }).click();
      await page.getByRole('textbox', { name: '订阅事件' }).fill('accounts.created');
      await page.getByRole('option', { name: /^accounts\.created/ }).click();
      await drawer.locator('input[name=description]').click(); // closes the dropdown
      await drawer.locator('textarea[name=condition]').fill('{"==": [1,');
      await page.getByTestId('webhook-submit').click();
      await fieldError(page, 'condition')
        .getByText(/JSON 格式有误/)
        .waitFor();
      // …and a JsonLogic operation the server does not know is refused by the server, at the field, in Chinese.
      await drawer.locator('textarea[name=condition]').fill('{"nosuchop": [1, 2]}');
      await page.getByTestId('webhook-submit').click();
      await fieldError(page, 'condition').waitFor();
      assert.match((await fieldError(page, 'condition').textContent()) ?? '', /[\u4e00-\u9fff]/);
      await drawer.locator('textarea[name=condition]').fill('');
      await page.getByTestId('webhook-submit').click();

      // The secret, once, with a copy button.
      const secret = ((await page.getByTestId('webhook-secret-once').textContent()) ?? '').trim();
      assert.match(secret, /^whsec_/);
      await page.getByTestId('webhook-created').getByRole('button', { name: '复制' }).waitFor();
      await page.getByTestId('webhook-created-done').click();
      const card = page.getByTestId('webhook-endpoint').filter({ hasText: receiver.url });
      await card.waitFor();
      endpointId = await card.getAttribute('data-id');
      assert.equal(await card.getByTestId('endpoint-status').textContent(), '已启用');
      const stored = await api.call(`/webhooks/endpoints/${endpointId}`);
      assert.deepEqual(stored.event_types, ['accounts.created']);
      assert.equal(stored.condition, null);

      // Send a test event: the attempt's result, and a signed request at the receiver.
      await card.getByTestId('endpoint-test').click();
      await page.getByTestId('test-send').click();
      const result = page.getByTestId('attempt-result');
      await result.waitFor();
      assert.equal(
        await result.getAttribute('data-ok'),
        'true',
        `test event not delivered: ${await result.textContent()} (does the server allow 127.0.0.1 — ZHONGSHU_OUTBOUND_ALLOW?)`,
      );
      assert.equal(await result.getAttribute('data-status'), '200');
      await result.getByText(/推送成功：HTTP 200/).waitFor();
      assert.equal(receiver.received.length, 1);
      assert.equal(verify(receiver.received[0], secret).type, 'webhooks.test');
      await page.getByTestId('test-modal').getByRole('button', { name: '关闭' }).click();

      // The delivery log of this endpoint: the test delivery with 200; its detail and a replay.
      await card.getByTestId('endpoint-deliveries').click();
      const row = page.getByTestId('delivery-row').filter({ hasText: 'webhooks.test' }).first();
      await row.waitFor();
      assert.equal(await row.getAttribute('data-status'), 'succeeded');
      assert.equal((await row.getByTestId('delivery-code').textContent())?.trim(), '200');
      await row.getByText('成功').waitFor();
      await row.click();
      const detail = page.getByTestId('delivery-detail');
      await detail.waitFor();
      assert.equal(await detail.getByTestId('delivery-attempt').count(), 1);
      await detail.getByTestId('delivery-attempt').first().getByText('测试').waitFor();
      await detail.getByTestId('attempt-code').first().getByText('200').waitFor();
      await detail.getByText('ok from receiver').first().waitFor();
      assert.match((await detail.getByTestId('delivery-payload').textContent()) ?? '', /webhooks\.test/);
      await page.getByTestId('delivery-replay').click();
      await detail
        .getByTestId('attempt-result')
        .getByText(/推送成功：HTTP 200/)
        .waitFor();
      await eventually(async () => (await detail.getByTestId('delivery-attempt').count()) === 2, {
        what: 'the replay listed as the second attempt',
      });
      await detail.getByTestId('delivery-attempt').getByText('重新推送').waitFor();
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[1].headers['webhook-id'], receiver.received[0].headers['webhook-id']);
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'detached' });

      // A real event: an account created through the API reaches the receiver and the log.
      const name = `E2E推送客户${Date.now().toString(36)}`;
      await api.call('/accounts', { method: 'POST', body: JSON.stringify({ name }) });
      const got = await eventually(() => receiver.received.find((r) => r.body.includes(name)), {
        what: 'accounts.created at the receiver',
      });
      const event = verify(got, secret);
      assert.equal(event.type, 'accounts.created');
      await page.getByTestId('deliveries-status').click();
      await page.getByRole('option', { name: '成功' }).click();
      await eventually(
        async () =>
          (await page.getByTestId('delivery-row').filter({ hasText: 'accounts.created' }).count()) > 0,
        {
          between: () => page.getByRole('button', { name: '刷新' }).click(),
          what: 'accounts.created in the log',
        },
      );

      // Disable, enable, recover since an hour ago, delete (with confirmation).
      await page.getByTestId('webhooks-view').getByText('推送地址').click();
      await card.getByTestId('endpoint-more').click();
      await page.getByTestId('endpoint-toggle').click();
      await card.getByTestId('endpoint-status').getByText('已停用').waitFor();
      await card.getByText('管理员手动停用').waitFor();
      await card.getByTestId('endpoint-more').click();
      await page.getByTestId('endpoint-toggle').click();
      await card.getByTestId('endpoint-status').getByText('已启用').waitFor();
      await card.getByTestId('endpoint-more').click();
      await page.getByTestId('endpoint-recover').click();
      await page.getByTestId('recover-run').click();
      await page.getByTestId('recover-result').waitFor();
      assert.match(
        (await page.getByTestId('recover-result').textContent()) ?? '',
        /已加入推送队列 \d+ 条|无需补发/,
      );
      await page.getByTestId('recover-modal').getByRole('button', { name: '关闭' }).click();
      await card.getByTestId('endpoint-more').click();
      await page.getByTestId('endpoint-delete').click();
      await page.getByTestId('delete-modal').getByText(receiver.url, { exact: false }).waitFor();
      await page.getByTestId('delete-confirm').click();
      await card.waitFor({ state: 'detached' });
      await assert.rejects(api.call(`/webhooks/endpoints/${endpointId}`), /→ 404/);
      endpointId = null;
    } finally {
      if (endpointId)
        await api.call(`/webhooks/endpoints/${endpointId}`, { method: 'DELETE' }).catch(() => {});
      await ctx.close();
      await receiver.close();
    }
  });
}

/** docs/screenshots/webhooks-*.{zh-CN,en}.png at 1280 and 390 px; prints any horizontal overflow. */
async function screenshots(browser, base, api) {
  const out = join(ROOT, 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const receiver = await startReceiver();
  const made = [];
  try {
    const names = (await api.call('/webhooks/event-types')).data.map((e) => e.name);
    const pick = (re) => names.find((n) => re.test(n));
    const erp = await api.call('/webhooks/endpoints', {
      method: 'POST',
      body: JSON.stringify({
        url: receiver.url,
        description: 'ERP 订单系统',
        event_types: ['accounts.created', pick(/^opportunities\.\*$/), pick(/^interventions\./)].filter(
          Boolean,
        ),
      }),
    });
    made.push(erp.id);
    const bi = await api.call('/webhooks/endpoints', {
      method: 'POST',
      body: JSON.stringify({
        url: 'https://bi.example.com/zhongshu/events',
        description: '数据仓库',
        event_types: [],
        condition: { '==': [{ var: 'data.record.industry' }, '制造业'] },
      }),
    });
    made.push(bi.id);
    await api.call(`/webhooks/endpoints/${bi.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'disabled' }),
    });
    await api.call(`/webhooks/endpoints/${erp.id}/test`, { method: 'POST', body: '{}' });
    for (const n of ['华瑞精密制造', '恒远新能源']) {
      await api.call('/accounts', {
        method: 'POST',
        body: JSON.stringify({ name: `${n}${Date.now().toString(36)}` }),
      });
    }
    await eventually(() => receiver.received.length >= 3, { what: 'three deliveries' });
    for (const lang of ['zh-CN', 'en']) {
      for (const [suffix, viewport, mobile] of [
        ['', { width: 1280, height: 820 }, false],
        ['-phone', { width: 390, height: 844 }, true],
      ]) {
        const ctx = await browser.newContext({
          locale: lang,
          viewport,
          deviceScaleFactor: 1,
          isMobile: mobile,
          hasTouch: mobile,
        });
        await ctx.addInitScript((l) => localStorage.setItem('zs.lang', l), lang);
        const page = await ctx.newPage();
        const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        await login(page, base);
        await page.goto(`${base}/admin/webhooks`);
        await page.getByTestId('webhook-endpoint').first().waitFor();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(out, `webhooks-endpoints${suffix}.${lang}.png`), fullPage: true });
        console.log(`${lang} ${viewport.width}px endpoints: horizontal overflow ${await overflow()}px`);
        await page.getByTestId('webhook-endpoint').first().getByTestId('endpoint-edit').click();
        await page.getByTestId('webhook-form').waitFor();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(out, `webhooks-form${suffix}.${lang}.png`) });
        await page.keyboard.press('Escape');
        await page.getByTestId('webhook-form').waitFor({ state: 'detached' });
        await page
          .getByTestId('webhooks-view')
          .getByText(lang === 'en' ? 'Deliveries' : '推送记录')
          .click();
        await page.getByTestId('delivery-row').first().waitFor();
        await page.waitForTimeout(500);
        await page.screenshot({
          path: join(out, `webhooks-deliveries${suffix}.${lang}.png`),
          fullPage: true,
        });
        console.log(`${lang} ${viewport.width}px deliveries: horizontal overflow ${await overflow()}px`);
        await page.getByTestId('delivery-row').filter({ hasText: 'webhooks.test' }).first().click();
        await page.getByTestId('delivery-attempt').first().waitFor();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(out, `webhooks-delivery${suffix}.${lang}.png`) });
        await ctx.close();
      }
    }
    console.log(`screenshots written to ${out}`);
  } finally {
    for (const id of made) await api.call(`/webhooks/endpoints/${id}`, { method: 'DELETE' }).catch(() => {});
    await receiver.close();
  }
}

await runStandalone(import.meta.url, webhooksTests, {
  env: { ZHONGSHU_OUTBOUND_ALLOW: '127.0.0.1' },
  screenshots,
});

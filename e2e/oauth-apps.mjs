#!/usr/bin/env node
// Browser test for Admin → Apps (OAuth, issue 10), in zh-CN: an admin registers a confidential app
// (a refused redirect URI shows at the field with its line first), copies the secret shown once,
// sees the card with client ID and scope labels, renews the secret after confirming (the new one
// shown once, the old one refused by /oauth/token) and deletes the app.
//   alone: node e2e/oauth-apps.mjs                (fresh server, only these tests)
//          node e2e/oauth-apps.mjs --screenshots  (also docs/screenshots/oauth-apps*.{zh-CN,en}.png)
//   ZHONGSHU_WEB_DIST=… serves another build of the web app than web/dist.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { login, ROOT, runStandalone } from './lib.mjs';

/** Error text shown under the input named `name`. */
const fieldError = (page, name) =>
  page.locator(`.mantine-InputWrapper-root:has([name="${name}"]) .mantine-InputWrapper-error`).first();

/** POST /oauth/token with client credentials; resolves to the HTTP status and JSON. */
async function clientCredentials(base, clientId, secret, scope = 'crm:read') {
  const r = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return { status: r.status, body: await r.json().catch(() => ({})) };
}

export function oauthAppsTests({ test, browser, base, api, pageErrors = [] }) {
  test('oauth apps: admin registers an app, copies the secret once, renews it and deletes the app (zh-CN)', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(20_000);
    await ctx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      await login(page, base);
      await page.goto(`${base}/admin/apps`);
      await page.getByTestId('apps-tab').waitFor();
      assert.equal(
        await page.getByTestId('oauth-discovery').textContent(),
        `${base}/.well-known/openid-configuration`,
      );
      const disc = await fetch(`${base}/.well-known/openid-configuration`);
      assert.equal(disc.status, 200);

      await page.getByTestId('app-new').click();
      await page.locator('input[name=name]').fill('E2E ERP 对接');
      await page
        .locator('textarea[name=redirect_uris]')
        .fill('https://erp.example.com/cb\nhttp://erp.example.com/cb');
      await page.getByLabel('读取客户、联系人、商机').check();
      await page.getByTestId('app-submit').click();
      await fieldError(page, 'redirect_uris').waitFor();
      assert.match(
        await fieldError(page, 'redirect_uris').textContent(),
        /第 2 行（http:\/\/erp\.example\.com\/cb）：只有 localhost 可以使用 http/,
      );

      await page.locator('textarea[name=redirect_uris]').fill('https://erp.example.com/cb');
      await page.getByTestId('app-submit').click();
      const secret = (await page.getByTestId('app-secret-once').textContent()).trim();
      const clientId = (await page.getByTestId('app-created-client-id').textContent()).trim();
      assert.match(secret, /^zs_secret_/);
      assert.match(await page.getByTestId('app-secret-note').textContent(), /密钥只显示这一次/);
      assert.equal((await clientCredentials(base, clientId, secret)).status, 200);
      await page.getByTestId('app-secret-done').click();

      const card = page.getByTestId('oauth-app').filter({ hasText: 'E2E ERP 对接' });
      await card.waitFor();
      assert.equal((await card.getByTestId('app-client-id').textContent()).trim(), clientId);
      await card.getByText('读取客户、联系人、商机').waitFor();
      assert.equal(await page.getByText(secret).count(), 0);

      await card.getByTestId('app-more').click();
      await page.getByTestId('app-rotate').click();
      await page.getByTestId('rotate-confirm').click();
      const renewed = (await page.getByTestId('app-secret-once').textContent()).trim();
      assert.notEqual(renewed, secret);
      assert.equal((await clientCredentials(base, clientId, secret)).status, 401);
      assert.equal((await clientCredentials(base, clientId, renewed)).status, 200);
      await page.getByTestId('app-secret-done').click();

      await card.getByTestId('app-more').click();
      await page.getByTestId('app-delete').click();
      await page.getByTestId('app-delete-confirm').click();
      await card.waitFor({ state: 'detached' });
      const left = (await api.call('/oauth/apps')).items.filter((a) => a.client_id === clientId);
      assert.equal(left.length, 0);
    } finally {
      await ctx.close();
    }
  });
}

/** docs/screenshots/oauth-apps*.{zh-CN,en}.png at 1280 and 390 px; prints any horizontal overflow. */
async function screenshots(browser, base, api) {
  const out = join(ROOT, 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const made = [];
  const post = async (body) => {
    const a = await api.call('/oauth/apps', { method: 'POST', body: JSON.stringify(body) });
    made.push(a.id);
    return a;
  };
  try {
    const erp = await post({
      name: 'ERP 订单同步',
      type: 'confidential',
      redirect_uris: [],
      scopes: ['crm:read', 'crm:write', 'signals:write'],
    });
    await post({
      name: '销售助手小程序',
      type: 'public',
      redirect_uris: ['https://m.example.com/oauth/callback', 'com.example.sales:/callback'],
      scopes: ['crm:read', 'interventions:read', 'interventions:act', 'predict:read'],
    });
    // Some calls, so the usage figures are not all zero.
    const { body } = await clientCredentials(base, erp.client_id, erp.client_secret, 'crm:read');
    for (let i = 0; i < 12; i++)
      await fetch(`${base}/api/v1/accounts?limit=1`, {
        headers: { authorization: `Bearer ${body.access_token}` },
      });

    for (const lang of ['zh-CN', 'en']) {
      for (const [suffix, viewport, mobile] of [
        ['', { width: 1280, height: 900 }, false],
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
        await page.goto(`${base}/admin/apps`);
        await page.getByTestId('oauth-app').first().waitFor();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(out, `oauth-apps${suffix}.${lang}.png`), fullPage: true });
        console.log(`${lang} ${viewport.width}px apps: horizontal overflow ${await overflow()}px`);
        await page.getByTestId('app-new').click();
        await page.getByTestId('app-form').waitFor();
        await page.locator('input[name=name]').fill(lang === 'en' ? 'Data warehouse' : '数据仓库');
        await page
          .locator('textarea[name=redirect_uris]')
          .fill('https://bi.example.com/cb\nhttp://bi.example.com/cb');
        await page.getByTestId('app-scopes').locator('input[value="crm:read"]').check();
        await page.getByTestId('app-submit').click();
        await page
          .locator('.mantine-InputWrapper-root:has([name="redirect_uris"]) .mantine-InputWrapper-error')
          .waitFor();
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(out, `oauth-apps-form${suffix}.${lang}.png`) });
        await page.locator('textarea[name=redirect_uris]').fill('https://bi.example.com/cb');
        await page.getByTestId('app-submit').click();
        await page.getByTestId('app-secret-once').waitFor();
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(out, `oauth-apps-secret${suffix}.${lang}.png`) });
        const id = await page.evaluate(async () => {
          const r = await fetch('/api/v1/oauth/apps');
          return (await r.json()).items.find((a) => /Data warehouse|数据仓库/.test(a.name))?.id;
        });
        if (id) made.push(id);
        await ctx.close();
        if (id) {
          await api.call(`/oauth/apps/${id}`, { method: 'DELETE', body: '{}' });
          made.pop();
        }
      }
    }
    console.log(`screenshots written to ${out}`);
  } finally {
    for (const id of made)
      await api.call(`/oauth/apps/${id}`, { method: 'DELETE', body: '{}' }).catch(() => {});
  }
}

await runStandalone(import.meta.url, oauthAppsTests, { screenshots });

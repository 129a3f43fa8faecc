#!/usr/bin/env node
// Browser tests of consent for staff (issue 13, items 6 and 8), in zh-CN: an admin drafts and
// publishes a privacy notice version (published ones cannot be edited), records a person's
// withdrawal of marketing e-mail through the API as staff would, sees the consent dashboard with
// its chart and the customers' contributions, and downloads the record of processing as CSV;
// the tabs fit 390 px.
//   from e2e/run.mjs: await privacyConsentTests({ test, browser, base, api, pageErrors })
//   alone:            node e2e/privacy-consent.mjs   (fresh server, only these tests)
import assert from 'node:assert/strict';
import { login, runStandalone } from './lib.mjs';

async function newPage(browser, pageErrors, viewport = { width: 1280, height: 900 }) {
  const mobile = viewport.width < 600;
  const ctx = await browser.newContext({
    locale: 'zh-CN',
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    acceptDownloads: true,
  });
  ctx.setDefaultTimeout(20_000);
  await ctx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { ctx, page };
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

export async function privacyConsentTests({ test, browser, base, api, pageErrors = [] }) {
  const stamp = Date.now().toString(36);

  test('privacy notices: an admin drafts a version, publishes it, and it can no longer be edited (zh-CN)', async () => {
    const { ctx, page } = await newPage(browser, pageErrors);
    try {
      await login(page, base);
      await page.goto(`${base}/privacy/notices`);
      await page.getByTestId('privacy-notices').waitFor();
      await page.getByTestId('notice-new').click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('标题（中文）').fill(`隐私政策 E2E ${stamp}`);
      await dialog.getByLabel('标题（英文）').fill(`Privacy notice E2E ${stamp}`);
      await dialog.getByLabel('声明正文（中文）').fill('我们如何处理您的个人信息。');
      await dialog.getByLabel('声明正文（英文）').fill('How we process your personal data.');
      await dialog.getByTestId('notice-save').click();
      await dialog.waitFor({ state: 'hidden' });
      const list = await api.call('/privacy/notices');
      const mine = list.data.find((n) => n.title_zh === `隐私政策 E2E ${stamp}`);
      assert.ok(mine, 'the draft was stored');
      assert.equal(mine.status, 'draft');
      const row = page.getByTestId(`notice-v${mine.version}`);
      await row.getByText('草稿').waitFor();
      await page.getByTestId(`notice-publish-v${mine.version}`).click();
      await row.getByText('现行').waitFor();
      await row.getByRole('button', { name: '编辑' }).waitFor({ state: 'detached' });
      const current = await api.call('/privacy/notices/current');
      assert.equal(current.notice.id, mine.id);
    } finally {
      await ctx.close();
    }
  });

  test('consent dashboard: rate per purpose with its chart and what customers contributed (zh-CN, 390 px)', async () => {
    const made = await api.call('/contacts', {
      method: 'POST',
      body: JSON.stringify({ name: `E2E授权联系人${stamp}`, emails: [`consent-${stamp}@example.cn`] }),
    });
    await api.call(`/contacts/${made.id}/consents`, {
      method: 'POST',
      body: JSON.stringify({ purpose: 'marketing_email', granted: true }),
    });
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const { ctx, page } = await newPage(browser, pageErrors, viewport);
      try {
        await login(page, base);
        await page.goto(`${base}/privacy/dashboard`);
        await page.getByTestId('consent-dashboard').waitFor();
        const card = page.getByTestId('consent-rate-marketing_email');
        await card.getByText('营销邮件').waitFor();
        await card.getByText('需明示同意').waitFor();
        await page.getByRole('img', { name: '每周授权率' }).waitFor();
        await page.getByText('客户通过自助门户贡献的数据').waitFor();
        assert.ok((await overflow(page)) <= 1, `no sideways scroll at ${viewport.width} px`);
      } finally {
        await ctx.close();
      }
    }
  });

  test('record of processing: purposes with legal basis, recipients, retention; CSV download (zh-CN)', async () => {
    const { ctx, page } = await newPage(browser, pageErrors);
    try {
      await login(page, base);
      await page.goto(`${base}/privacy/processing`);
      await page.getByTestId('processing-record').waitFor();
      const row = page.getByTestId('processing-partner_sharing');
      await row.getByText('与合作伙伴共享').waitFor();
      await row.getByText('单独同意（《个人信息保护法》第二十三条）').waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('processing-csv').click(),
      ]);
      assert.match(download.suggestedFilename(), /^processing-record-\d{4}-\d{2}-\d{2}\.csv$/);
      const path = await download.path();
      const { readFileSync } = await import('node:fs');
      const csv = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
      assert.ok(csv.startsWith('用途,名称,说明,法律依据'), csv.slice(0, 80));
      assert.ok(csv.includes('profiling,画像与 AI 评分'));
    } finally {
      await ctx.close();
    }
  });
}

await runStandalone(import.meta.url, privacyConsentTests);

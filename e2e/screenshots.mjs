#!/usr/bin/env node
// Screenshots of the main pages in zh-CN and en (desktop 1280 px, phone 390 px) into docs/screenshots/.
//   npm run build -w web && node e2e/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiSession, launch, login, ROOT, startServer } from './lib.mjs';

const out = join(ROOT, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launch();
try {
  const api = await apiSession(server.base);
  const account =
    (await api.call('/accounts?limit=50')).data.find((a) => a.credit_code) ??
    (await api.call('/accounts?limit=1')).data[0];
  for (const lang of ['zh-CN', 'en']) {
    const ctx = await browser.newContext({
      locale: lang,
      viewport: { width: 1280, height: 820 },
      deviceScaleFactor: 1,
    });
    await ctx.addInitScript((l) => localStorage.setItem('zs.lang', l), lang);
    const page = await ctx.newPage();
    const shot = async (name, full = false) => {
      await page.waitForTimeout(700);
      await page.screenshot({ path: join(out, `${name}.${lang}.png`), fullPage: full });
    };
    await page.goto(`${server.base}/login`);
    await page.locator('input[name=email]').waitFor();
    await shot('login');
    await login(page, server.base);
    await page.locator('canvas').first().waitFor();
    await shot('home');
    await page.goto(`${server.base}/accounts`);
    await page.getByTestId('list-row').first().waitFor();
    await shot('accounts');
    await page.goto(`${server.base}/accounts/${account.id}`);
    await page.getByTestId('timeline').waitFor();
    await page.getByTestId('lineage-target').first().hover();
    await page.getByTestId('lineage-card').waitFor();
    await shot('account');
    await page.goto(`${server.base}/opportunities/board`);
    await page.locator('[data-testid=board][data-ready=true]').waitFor();
    await shot('board');
    await page.goto(`${server.base}/opportunities?status=open&sort=-amount`);
    await page.getByTestId('list-row').first().waitFor();
    await shot('opportunities');
    await page.goto(`${server.base}/import`);
    const csv =
      lang === 'en'
        ? 'Company name,Credit code,Industry\nAcme Ltd,,Energy\nBad Co,XYZ,Energy\n'
        : '公司名称,统一社会信用代码,行业\n示例公司甲,,能源\n示例公司乙,XYZ,能源\n';
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'accounts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('import-read').click();
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-summary').waitFor();
    await shot('import-check');
    await page.goto(`${server.base}/admin/pipelines`);
    await page.locator('table').first().waitFor();
    await shot('admin-pipelines');
    await page.goto(`${server.base}/`);
    await page.getByTestId('user-name').waitFor();
    await page.keyboard.press('Control+K');
    await page.getByTestId('search-input').fill(lang === 'en' ? '电池' : '电池');
    await page.getByTestId('search-hit').first().waitFor();
    await shot('search');
    await ctx.close();

    const phone = await browser.newContext({
      locale: lang,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    });
    await phone.addInitScript((l) => localStorage.setItem('zs.lang', l), lang);
    const p2 = await phone.newPage();
    await login(p2, server.base);
    await p2.goto(`${server.base}/accounts`);
    await p2.getByTestId('list-row').first().waitFor();
    await p2.waitForTimeout(500);
    await p2.screenshot({ path: join(out, `accounts-phone.${lang}.png`) });
    await p2.goto(`${server.base}/accounts/${account.id}`);
    await p2.getByTestId('timeline').waitFor();
    await p2.waitForTimeout(500);
    await p2.screenshot({ path: join(out, `account-phone.${lang}.png`) });
    const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    console.log(`${lang} account page horizontal overflow at 390px: ${overflow}px`);
    await phone.close();
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  server.stop();
}

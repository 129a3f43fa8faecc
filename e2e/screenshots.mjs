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
  // signals, interventions and a model so the intelligence pages have something to show
  await api.call('/predict/win-probability/train', { method: 'POST', body: '{}' });
  await api.call('/forecast/snapshots', { method: 'POST', body: JSON.stringify({ period: 'month' }) });
  const owned = (await api.call('/accounts?limit=20&sort=name')).data.filter((a) => a.owner_id).slice(0, 3);
  const now = Date.now();
  const at = (h) => new Date(now - h * 3600_000).toISOString();
  await api.call('/signals', {
    method: 'POST',
    body: JSON.stringify([
      ...owned.map((a, i) => ({
        type: 'tender_notice',
        source: 'ccgp',
        occurred_at: at(3 + i),
        subject: { account_id: a.id },
        payload: {
          title: ['数据平台建设项目', '智能排产系统采购', 'CRM 升级项目'][i],
          budget: 1200000 + i * 300000,
          platform: '中国政府采购网',
        },
      })),
      {
        type: 'payment_overdue',
        source: 'erp',
        occurred_at: at(30),
        subject: { account_id: owned[0].id },
        payload: { invoice: 'INV-2026-118', amount: 380000, days_overdue: 45 },
      },
      {
        type: 'website_visit',
        source: 'web_analytics',
        occurred_at: at(2),
        subject: { company_name: '未登记科技有限公司' },
        payload: { url: '/pricing', visits: 4 },
      },
      {
        type: 'job_change',
        source: 'linkedin',
        occurred_at: at(5),
        subject: { domain: 'unknown-example.cn' },
        payload: { person: '刘总', left_company: true },
      },
    ]),
  });
  await new Promise((r) => setTimeout(r, 1500));
  const open = (await api.call('/interventions?owner_id=any&status=open')).data;
  if (open[0]) await api.call(`/interventions/${open[0].id}/accept`, { method: 'POST', body: '{}' });
  const rule = (await api.call('/rules')).data.find((r) => r.key === 'website_visit_spike');
  const opp = (await api.call('/opportunities?status=open&sort=-amount&limit=1')).data[0];
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
    await page.goto(`${server.base}/opportunities/${opp.id}`);
    await page.getByTestId('win-probability').waitFor();
    await shot('opportunity');
    await page.goto(`${server.base}/forecast?rep=${opp.owner_id}`);
    await page.getByTestId('forecast-row').first().waitFor();
    await page.locator('canvas').first().waitFor();
    await shot('forecast', true);
    await page.goto(`${server.base}/models`);
    await page.getByTestId('model-metrics').waitFor();
    await shot('models', true);
    await page.goto(`${server.base}/inbox?owner=any`);
    await page.getByTestId('intervention').first().waitFor();
    await page.getByTestId('evidence-toggle').first().click();
    await page.getByTestId('evidence-signal').first().waitFor();
    await shot('inbox', true);
    await page.goto(`${server.base}/sign-off`);
    await page.getByTestId('sign-off-form').first().waitFor();
    await shot('sign-off', true);
    await page.goto(`${server.base}/brief?scope=me`);
    await page.getByTestId('brief-breaker').waitFor();
    await shot('brief');
    await page.goto(`${server.base}/brief`);
    await page.getByTestId('brief-members').waitFor();
    await shot('brief-team');
    await page.goto(`${server.base}/signals/review`);
    await page.getByTestId('unmatched-row').first().waitFor();
    await shot('signal-review');
    await page.goto(`${server.base}/signals/sources`);
    await page.getByTestId('source-row').first().waitFor();
    await shot('signal-sources');
    await page.goto(`${server.base}/rules/${rule.id}`);
    await page.getByTestId('query-builder').waitFor();
    await shot('rules', true);
    await page.goto(`${server.base}/accounts/${owned[0].id}`);
    await page.getByTestId('buying-stage').waitFor();
    await page.getByTestId('timeline').waitFor();
    await shot('account-signals');
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
    for (const [name, path, testid] of [
      ['inbox-phone', '/inbox?owner=any', 'intervention'],
      ['forecast-phone', '/forecast', 'forecast-row'],
    ]) {
      await p2.goto(`${server.base}${path}`);
      await p2.getByTestId(testid).first().waitFor();
      await p2.waitForTimeout(700);
      await p2.screenshot({ path: join(out, `${name}.${lang}.png`) });
      const o = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      console.log(`${lang} ${name} horizontal overflow at 390px: ${o}px`);
    }
    await phone.close();
  }
  console.log(`screenshots written to ${out}`);
} finally {
  await browser.close();
  server.stop();
}

// The Chinese UI without English: a walk over the main pages in zh-CN (home, accounts, an account,
// an opportunity, the board, inbox, brief, forecast, models, signal review, sources, rules and the
// admin tabs) that collects every visible text and every placeholder and fails on English words
// that are not names the product keeps in English (product names, units, codes, "CRM", "API"…).
import assert from 'node:assert/strict';
import { login } from './lib.mjs';

/**
 * Words a Chinese page may show in Latin letters: product and standard names, units, formats.
 * Compared case-insensitively with whole words.
 */
export const ALLOWED_WORDS = new Set(
  [
    'Zhongshu',
    'CRM',
    'API',
    'APIs',
    'Webhook',
    'Webhooks',
    'OAuth',
    'JsonLogic',
    'JSONata',
    'CSV',
    'Excel',
    'JSON',
    'ID',
    'IDs',
    'URL',
    'HTTP',
    'HTTPS',
    'SSO',
    'SMTP',
    'GraphQL',
    'OpenAPI',
    'SQL',
    'AUC',
    'MAPE',
    'Brier',
    'ROI',
    'KPI',
    'AI',
    'PDF',
    'UTC',
    'GMT',
    'CNY',
    'RMB',
    'USD',
    'EUR',
    'WeCom',
    'DingTalk',
    'Feishu',
    'Lark',
    'Slack',
    'English',
    'Bearer',
    'zs',
    'km',
    'ms',
    'KB',
    'MB',
    'GB',
    'min',
    'px',
    'AM',
    'PM',
    'Q1',
    'Q2',
    'Q3',
    'Q4',
    'vs',
    'OK',
  ].map((w) => w.toLowerCase()),
);

/** Latin-letter words that are not allowed in a zh-CN page's `text` (emails, links, ids, codes stripped first). */
export function englishWords(text) {
  const stripped = text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ') // emails
    .replace(/\bhttps?:\/\/\S+/g, ' ') // links
    .replace(/\b[\w-]+(\.[\w-]+)*\.(com|cn|net|org|io|local)\b/g, ' ') // domains
    .replace(/(^|\s)\/[\w/.:-]+/g, ' ') // paths
    .replace(/\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b/gi, ' ') // ids
    .replace(/\b[\w-]*\d[\w-]*\b/g, ' '); // codes, versions, credit codes: anything with a digit
  const found = [];
  for (const m of stripped.matchAll(/[A-Za-z][A-Za-z_'’-]*[A-Za-z]|\b[A-Za-z]\b/g)) {
    const word = m[0];
    if (word.length < 2) continue;
    if (ALLOWED_WORDS.has(word.toLowerCase())) continue;
    if (/^[A-Z]{2,5}s?$/.test(word)) continue; // acronyms: PACS, ERP, SaaS-style codes

    found.push(word);
  }
  return found;
}

/** Every visible text of the page (text nodes, placeholders, titles of badges), as { text, where }. */
async function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const skip = (el) =>
      !!el.closest('code, pre, kbd, script, style, noscript, [data-raw], [translate="no"], .echarts-tooltip');
    const visible = (el) => (el.checkVisibility ? el.checkVisibility() : !!el.offsetParent);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      const el = node.parentElement;
      if (!text || !el || skip(el) || !visible(el)) continue;
      out.push({ text, where: el.outerHTML.slice(0, 160) });
    }
    for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      if (skip(el) || !visible(el)) continue;
      out.push({ text: el.getAttribute('placeholder') ?? '', where: el.outerHTML.slice(0, 160) });
    }
    // titles show on hover
    for (const el of document.querySelectorAll('[title]')) {
      if (skip(el) || !visible(el) || el.closest('svg')) continue;
      out.push({ text: el.getAttribute('title') ?? '', where: el.outerHTML.slice(0, 160) });
    }
    // a select shows its chosen option as the value of a read-only input
    for (const el of document.querySelectorAll('input[readonly]')) {
      if (skip(el) || !visible(el) || !el.value) continue;
      out.push({ text: el.value, where: el.outerHTML.slice(0, 160) });
    }
    // chart labels are drawn on a canvas: ECharts keeps them in its aria description
    for (const el of document.querySelectorAll('[aria-label]')) {
      if (skip(el) || !visible(el) || el.closest('svg')) continue;
      out.push({ text: el.getAttribute('aria-label') ?? '', where: el.outerHTML.slice(0, 160) });
    }
    return out;
  });
}

/**
 * What the pages show once a tenant is in use: a trained model, a forecast snapshot, signals that
 * raise interventions (one accepted), behaviour that gives a buying stage and unmatched signals.
 * Returns the account those signals are about and the largest open opportunity.
 */
async function withData(api) {
  await api.call('/predict/win-probability/train', { method: 'POST', body: '{}' });
  await api.call('/forecast/snapshots', { method: 'POST', body: JSON.stringify({ period: 'month' }) });
  const owned = (await api.call('/accounts?limit=20&sort=name')).data.filter((a) => a.owner_id).slice(0, 2);
  const now = Date.now();
  const at = (h) => new Date(now - h * 3600_000).toISOString();
  const session = `walk-${now}`;
  await api.call('/signals', {
    method: 'POST',
    body: JSON.stringify([
      ...owned.map((a, i) => ({
        type: 'tender_notice',
        source: 'ccgp',
        occurred_at: at(3 + i),
        subject: { account_id: a.id },
        payload: {
          title: ['数据平台建设项目', '智能排产系统采购'][i],
          budget: 1200000,
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
      ...['/pricing', '/pricing/enterprise', '/docs/api', '/compare/us-vs-them', '/product'].map(
        (url, i) => ({
          type: 'intent_page_view',
          source: 'web_analytics',
          occurred_at: at(2 - i * 0.1),
          subject: { account_id: owned[0].id },
          payload: { url, session_id: session, dwell_seconds: url.startsWith('/compare') ? 300 : 40 },
        }),
      ),
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
  const opportunity = (await api.call('/opportunities?status=open&sort=-amount&limit=1')).data[0];
  return { account: owned[0], opportunity };
}

/** The walk as a test: fails listing, per page, each English word with where it was seen. */
export function zhCnWalk({ browser, base, api }) {
  return async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    await context.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
    const problems = [];
    const reported = new Set(); // a text is listed once, with its first English word
    try {
      const page = await context.newPage();
      await login(page, base);
      const { account, opportunity } = await withData(api);
      const pages = [
        '/',
        '/accounts',
        `/accounts/${account.id}`,
        `/opportunities/${opportunity.id}`,
        '/opportunities',
        '/opportunities/board',
        '/inbox',
        '/inbox?owner=any',
        '/sign-off',
        '/brief',
        '/forecast',
        '/models',
        '/signals/review',
        '/signals/sources',
        '/rules',
        '/admin/users',
        '/admin/fields',
        '/admin/pipelines',
        '/admin/keys',
        '/privacy/cases',
        '/privacy/dashboard',
        '/privacy/notices',
        '/privacy/processing',
      ];
      for (const path of pages) {
        await page.goto(`${base}${path}`);
        await page.getByTestId('user-name').waitFor();
        await page.waitForLoadState('networkidle');
        // lists, charts and lazy parts render a moment after the data arrives
        await page.waitForTimeout(500);
        const seen = new Map();
        // open what a user opens: the evidence of intervention cards
        for (const toggle of await page.getByTestId('evidence-toggle').all()) await toggle.click();
        if (path.startsWith('/inbox')) await page.waitForTimeout(500);
        for (const { text, where } of await visibleTexts(page)) {
          for (const word of englishWords(text)) {
            if (!seen.has(word) && !reported.has(text)) seen.set(word, `${text.slice(0, 100)}  ←  ${where}`);
            if (seen.has(word)) reported.add(text);
          }
        }
        for (const [word, where] of seen) problems.push(`${path}: "${word}" in ${where}`);
      }
      // a form sent empty: the server's field errors are in words that say what to enter
      await page.goto(`${base}/accounts`);
      await page.getByTestId('new-record').click();
      await page.getByTestId('form-submit').click();
      await page.locator('.mantine-InputWrapper-error').first().waitFor();
      for (const { text, where } of await visibleTexts(page)) {
        if (/无效输入|期望|实际接收|过大|过小/.test(text))
          problems.push(`form: zod wording "${text}" in ${where}`);
        for (const word of englishWords(text)) problems.push(`form: "${word}" in ${text.slice(0, 100)}`);
      }
    } finally {
      await context.close();
    }
    // the runner shows only an error's first lines: the whole list goes to the log
    if (problems.length) console.log(`English on zh-CN pages:\n  ${problems.join('\n  ')}`);
    assert.deepEqual(problems, [], `${problems.length} English words on zh-CN pages (listed above)`);
  };
}

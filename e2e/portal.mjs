#!/usr/bin/env node
// Browser tests of the customer portal (issue 13, items 1–3), in zh-CN on a 390 px phone: a
// contact enters their e-mail, reads the code from a real SMTP catcher, signs in, sees their data
// with its lineage in plain words, corrects a field, exports and downloads everything, and asks
// for deletion; the emailed link signs in too. The portal never calls a staff endpoint.
//   from e2e/run.mjs: portalTests({ test, browser, base, api, pageErrors, mail })
//                     (mail = await startMailCatcher() from e2e/mail-catcher.mjs, started before
//                     the server: startServer({ env: { ZHONGSHU_SMTP_URL: mail.url } }))
//   alone:            node e2e/portal.mjs   (fresh server with its own mail catcher)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runStandalone } from './lib.mjs';
import { portalCodeOf, startMailCatcher } from './mail-catcher.mjs';

/** A phone in zh-CN that records every API call the page makes. */
async function phone(browser, pageErrors) {
  const ctx = await browser.newContext({
    locale: 'zh-CN',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    acceptDownloads: true,
  });
  ctx.setDefaultTimeout(20_000);
  await ctx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const calls = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/')) calls.push(`${r.method()} ${u.pathname}`);
  });
  return { ctx, page, calls };
}

/** Staff endpoints the portal page called: none (the portal renders outside the staff AuthProvider). */
function staffCalls(calls) {
  return calls.filter((c) => !c.includes(' /api/v1/portal/'));
}

export function portalTests({ test, browser, base, api, pageErrors = [], mail }) {
  const stamp = Date.now().toString(36);
  const email = `zhang.wei.${stamp}@huadong-e2e.test`;
  let contactId = null;

  const ensureContact = async () => {
    if (contactId) return;
    const account = await api.call('/accounts', {
      method: 'POST',
      body: JSON.stringify({ name: `华东电力${stamp}` }),
    });
    const c = await api.call('/contacts', {
      method: 'POST',
      body: JSON.stringify({ name: '张伟', emails: [email], title: '采购经理', account_id: account.id }),
    });
    contactId = c.id;
    await api.call('/activities', {
      method: 'POST',
      body: JSON.stringify({
        type: 'meeting',
        subject: `季度采购评审会${stamp}`,
        contact_ids: [contactId],
        account_id: account.id,
        occurred_at: new Date(Date.now() - 86_400_000).toISOString(),
      }),
    });
  };

  test('portal: a contact signs in with the e-mailed code, sees their data with lineage, corrects a field, exports and asks for deletion (zh-CN, 390 px)', async () => {
    assert.ok(mail, 'portalTests needs the mail catcher (mail) and a server sending to it');
    await ensureContact();
    const { ctx, page, calls } = await phone(browser, pageErrors);
    try {
      await page.goto(`${base}/portal`);
      await page.getByText('客户数据门户').first().waitFor();
      // A wrong address format is refused at the field before anything is sent.
      await page.getByTestId('portal-email').fill('不是邮箱');
      await page.getByTestId('portal-send').click();
      await page.getByText('请填写有效的邮箱地址').waitFor();

      const since = Date.now();
      await page.getByTestId('portal-email').fill(email);
      await page.getByTestId('portal-send').click();
      await page.getByTestId('portal-sent').waitFor();
      const sent = await mail.waitFor(email, { since });
      assert.match(sent.subject, /登录验证码/);
      assert.match(sent.text, /尊敬的张伟，您好/);
      const { code } = portalCodeOf(sent);
      assert.ok(code, `no code in ${sent.text}`);

      // A wrong code first: the server's message in Chinese, then the right one.
      await page.getByTestId('portal-code').fill(code === '000000' ? '111111' : '000000');
      await page.getByTestId('portal-verify').click();
      await page.getByTestId('portal-login-error').filter({ hasText: '验证码' }).waitFor();
      await page.getByTestId('portal-code').fill(code);
      await page.getByTestId('portal-verify').click();
      await page.getByTestId('portal-home').waitFor();
      await page.getByText('张伟，您好').waitFor();

      // My details, each with where it came from.
      const title = page.getByTestId('portal-field-title');
      await title.getByText('采购经理').waitFor();
      assert.match(
        (await title.getByTestId('portal-lineage').textContent()) ?? '',
        /由 .+ 录入，\d{4}-\d{2}-\d{2}/,
      );
      // The interaction we recorded, with its lineage.
      const meeting = page.getByTestId('portal-datum').filter({ hasText: `季度采购评审会${stamp}` });
      await meeting.waitFor();
      assert.ok((await meeting.getByTestId('portal-lineage').count()) > 0, 'the meeting shows its lineage');

      // Correct the title directly: it now says the person changed it through the portal.
      await page.getByTestId('portal-correct-title').click();
      await page.getByTestId('portal-correction-value').fill('采购总监');
      await page.getByTestId('portal-correction-save').click();
      await page.getByTestId('portal-correction-done').waitFor();
      await title.getByText('采购总监').waitFor();
      await title.getByText(/您本人通过门户修改/).waitFor();
      const staffView = await api.call(`/contacts/${contactId}/lineage`);
      const line = staffView.data.find((l) => l.field === 'title');
      assert.equal(line.actor_type, 'customer');
      assert.equal(line.source, 'portal');

      // The page fits the phone: nothing wider than the viewport.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);

      // Export everything and download the zip.
      await page.getByTestId('portal-export-start').click();
      const download = page.getByTestId('portal-export-download');
      await download.waitFor({ timeout: 60_000 });
      const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
      const path = await file.path();
      const bytes = readFileSync(path);
      assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'the download is a zip');
      assert.match(file.suggestedFilename(), /\.zip$/);

      // Ask for deletion: one button, one confirmation; the request shows with its due date.
      await page.getByTestId('portal-delete').click();
      await page.getByTestId('portal-delete-confirm').click();
      await page
        .getByTestId('portal-delete-done')
        .filter({ hasText: /前处理完毕/ })
        .waitFor();
      await page
        .locator('[data-testid="portal-request"][data-kind="erasure"]')
        .getByText(/答复截止/)
        .waitFor();

      assert.deepEqual(staffCalls(calls), [], 'the portal calls no staff endpoint');
      // Signing out ends the portal session.
      await page.getByTestId('portal-logout').click();
      await page.getByTestId('portal-email').waitFor();
    } finally {
      await ctx.close();
    }
  });

  test('portal: the link in the mail signs in on its own, once', async () => {
    assert.ok(mail, 'portalTests needs the mail catcher');
    await ensureContact();
    const since = Date.now();
    const r = await fetch(`${base}/api/v1/portal/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' },
      body: JSON.stringify({ email }),
    });
    assert.equal(r.status, 202);
    const { link } = portalCodeOf(await mail.waitFor(email, { since }));
    assert.ok(link, 'the mail has a sign-in link');
    const { ctx, page } = await phone(browser, pageErrors);
    try {
      // The link names the server the request came to; open it on the test server.
      const u = new URL(link);
      await page.goto(`${base}${u.pathname}${u.search}`);
      await page.getByTestId('portal-home').waitFor();
      await page.goto(`${base}${u.pathname}${u.search}`);
      await page.getByTestId('portal-link-failed').filter({ hasText: '该登录链接已过期或已使用' }).waitFor();
    } finally {
      await ctx.close();
    }
  });
}

// Alone: a mail catcher first, then a fresh server that sends to it.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mail = await startMailCatcher();
  await runStandalone(import.meta.url, (ctx) => portalTests({ ...ctx, mail }), {
    env: { ZHONGSHU_SMTP_URL: mail.url },
  });
  await mail.close();
}

#!/usr/bin/env node
// Browser tests for privacy requests as cases (issue 13, item 4), in zh-CN: an admin (privacy
// manager) opens the queue, records a request a person made by phone (records it for a contact
// they pick), sees the new case with its legal clock "还剩 15 个工作日" (PIPL) in the queue, opens
// it, starts the identity check, asks the requester for proof (the clock pauses), records their
// reply (it runs again), verifies and completes it; a manager (privacy:read) sees the queue
// read-only; the queue and the case page fit 390 px.
//   from e2e/run.mjs: await privacyCasesTests({ test, browser, base, api, pageErrors })
//   alone:            node e2e/privacy-cases.mjs   (fresh server, only these tests)
import assert from 'node:assert/strict';
import { login, runStandalone } from './lib.mjs';

async function newPage(browser, pageErrors, viewport = { width: 1280, height: 900 }) {
  const mobile = viewport.width < 600;
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport, isMobile: mobile, hasTouch: mobile });
  ctx.setDefaultTimeout(20_000);
  await ctx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { ctx, page };
}

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Clicks an action on the case page, fills its text (if any) and confirms. */
async function act(page, key, text) {
  await page.getByTestId(`case-action-${key}`).click();
  const dialog = page.getByTestId('case-action-dialog');
  if (text !== undefined) await dialog.getByTestId('case-action-text').fill(text);
  await dialog.getByTestId('case-action-confirm').click();
  await dialog.waitFor({ state: 'hidden' });
}

export async function privacyCasesTests({ test, browser, base, api, pageErrors = [] }) {
  const stamp = Date.now().toString(36);
  const person = `E2E隐私申请人${stamp}`;
  let contactId = null;
  let caseId = null;

  test('privacy cases: an admin records a phone request for a person and sees its legal clock in the queue (zh-CN)', async () => {
    const made = await api.call('/contacts', {
      method: 'POST',
      body: JSON.stringify({ name: person, emails: [`privacy-${stamp}@example.cn`] }),
    });
    contactId = made.id;
    const { ctx, page } = await newPage(browser, pageErrors);
    try {
      await login(page, base);
      await page.goto(`${base}/privacy/cases`);
      await page.getByTestId('privacy-cases').waitFor();
      await page.getByRole('tab', { name: '申请工单' }).waitFor();

      await page.getByTestId('open-case').click();
      const dialog = page.getByTestId('open-case-dialog');
      await dialog.getByText('代为登记个人信息权利申请').waitFor();
      await dialog.locator('input[data-field="contact_id"]').fill(person);
      await page.getByRole('option', { name: person }).click();
      await dialog
        .locator('textarea[name="details"]')
        .fill('来电要求查阅公司保存的本人全部信息，并提供副本。');
      await dialog.getByTestId('open-case-submit').click();

      // Lands on the new case: received, PIPL clock of 15 working days.
      await page.getByTestId('privacy-case').waitFor();
      caseId = page.url().split('/').pop();
      await page.getByRole('heading', { name: `${person}的查阅复制申请` }).waitFor();
      await page.getByTestId('case-clock-panel').getByText('还剩 15 个工作日').waitFor();
      await page.getByTestId('case-state').getByText('已收到').waitFor();
      await page.getByTestId('case-history').getByText('收到申请').waitFor();

      // Back in the queue: the row with the person, the request and the clock.
      await page.getByText('← 返回申请列表').click();
      const row = page.getByTestId('case-row').filter({ hasText: person });
      await row.waitFor();
      await row.getByText('查阅复制').waitFor();
      await row.getByText('还剩 15 个工作日').waitFor();
      await row.getByText('未指派').waitFor();
      const stored = await api.call(`/privacy/cases/${caseId}`);
      assert.equal(stored.contact_id, contactId);
      assert.equal(stored.channel, 'phone');
      assert.equal(stored.regime, 'pipl');
    } finally {
      await ctx.close();
    }
  });

  test('privacy cases: the admin verifies, asks the requester (clock paused), records the reply and completes the case', async () => {
    assert.ok(caseId, 'the case of the previous test');
    const { ctx, page } = await newPage(browser, pageErrors);
    try {
      await login(page, base);
      await page.goto(`${base}/privacy/cases`);
      await page.getByTestId('case-row').filter({ hasText: person }).getByRole('link').first().click();
      await page.getByTestId('privacy-case').waitFor();

      await act(page, 'verify');
      await page.getByTestId('case-state').getByText('核验身份中').waitFor();

      // Asking without saying what for is not possible; with the text the clock stops.
      await page.getByTestId('case-action-wait').click();
      const dialog = page.getByTestId('case-action-dialog');
      assert.equal(await dialog.getByTestId('case-action-confirm').isDisabled(), true);
      await dialog.getByTestId('case-action-text').fill('请发送身份证正反面照片，以便核验身份。');
      await dialog.getByTestId('case-action-confirm').click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('case-state').getByText('等待申请人').waitFor();
      await page.getByTestId('case-clock-panel').getByText('已暂停：等待申请人补充').waitFor();
      await page
        .getByTestId('case-clock-panel')
        .getByText(/自 .* 起暂停/)
        .waitFor();

      await act(page, 'reply', '申请人已通过邮件发来身份证照片。');
      await page.getByTestId('case-state').getByText('核验身份中').waitFor();
      await page.getByTestId('case-clock-panel').getByText('还剩 15 个工作日').waitFor();
      await page.getByTestId('case-history').getByText('申请人回复：等待申请人 → 核验身份中').waitFor();

      await act(page, 'verified');
      await page.getByTestId('case-state').getByText('处理中').waitFor();
      await act(page, 'complete', '已将个人信息副本通过加密邮件发送给申请人。');
      await page.getByTestId('case-state').getByText('已办结').waitFor();
      await page.getByTestId('case-clock-panel').getByText('按期办结').waitFor();
      assert.equal(await page.getByTestId('case-actions').count(), 0);

      const stored = await api.call(`/privacy/cases/${caseId}`);
      assert.equal(stored.state, 'completed');
      assert.deepEqual(
        stored.history.filter((h) => h.to_state).map((h) => h.to_state),
        ['received', 'verifying', 'waiting_on_requester', 'verifying', 'in_progress', 'completed'],
      );
      assert.ok(stored.clock.paused_ms > 0, 'time paused is counted');
    } finally {
      await ctx.close();
    }
  });

  test('privacy cases: a privacy manager adds a day off the Chinese calendar does not know yet (zh-CN)', async () => {
    const before = await api.call('/privacy/calendar');
    const { ctx, page } = await newPage(browser, pageErrors);
    try {
      await login(page, base);
      await page.goto(`${base}/privacy/cases`);
      await page.getByTestId('calendar-settings-open').click();
      const drawer = page.getByTestId('calendar-settings');
      await drawer.getByText('个人信息保护法处理期限（工作日）').waitFor();
      assert.equal(
        await drawer.locator('input[name="pipl_working_days"]').inputValue(),
        String(before.pipl_working_days),
      );
      const holidays = drawer.getByTestId('calendar-holidays');
      await holidays.fill('2027-12-31');
      await holidays.press('Enter');
      await drawer.getByTestId('calendar-save').click();
      await page.getByText('已保存').first().waitFor();
      const after = await api.call('/privacy/calendar');
      assert.ok(after.extra_holidays.includes('2027-12-31'));
    } finally {
      await ctx.close();
      await api.call('/privacy/calendar', {
        method: 'PUT',
        body: JSON.stringify({
          default_regime: before.default_regime,
          pipl_working_days: before.pipl_working_days,
          time_zone: before.time_zone,
          work_start: before.work_start,
          work_end: before.work_end,
          lunch: before.lunch,
          extra_holidays: before.extra_holidays,
          extra_working_days: before.extra_working_days,
        }),
      });
    }
  });

  test('privacy cases: the queue and a case page at 390 px (zh-CN)', async () => {
    const open = await api.call('/privacy/cases', {
      method: 'POST',
      body: JSON.stringify({ kind: 'erasure', contact_id: contactId, channel: 'letter' }),
    });
    const { ctx, page } = await newPage(browser, pageErrors, { width: 390, height: 844 });
    try {
      await login(page, base);
      await page.goto(`${base}/privacy/cases`);
      const card = page.getByTestId('case-row').filter({ hasText: person }).filter({ hasText: '删除' });
      await card.waitFor();
      assert.ok((await overflow(page)) <= 0, 'the queue fits 390 px');
      await card.click();
      await page.getByTestId('case-clock-panel').waitFor();
      await page.getByTestId('case-action-verify').waitFor();
      assert.ok((await overflow(page)) <= 0, 'the case page fits 390 px');
    } finally {
      await ctx.close();
      await api
        .call(`/privacy/cases/${open.id}/transition`, {
          method: 'POST',
          body: JSON.stringify({ to: 'withdrawn', reason: 'e2e clean-up' }),
        })
        .catch(() => {});
    }
  });
}

await runStandalone(import.meta.url, privacyCasesTests);

#!/usr/bin/env node
// Browser tests for record-level sharing (issue 8, item 9): the admin sets opportunities to
// private, shares one opportunity with a rep (read only), the rep sees that one and not another
// rep's private opportunity.
//   from e2e/run.mjs: sharingTests({ test, browser, base, api, pageErrors })
//   alone:            node e2e/sharing.mjs                (fresh server, only these tests)
//                     node e2e/sharing.mjs --screenshots  (also docs/screenshots/sharing-*.png)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO, login, ROOT, runStandalone } from './lib.mjs';

const REP_EMAIL = 'wang.fang@demo.zhongshu.local';

/**
 * Two opportunities, both owned by reps other than `rep` who share neither team nor manager with
 * them, and whose names are unique (so a search shows exactly that record).
 */
async function pickOpportunities(api, rep) {
  const users = (await api.call('/users?limit=500')).data;
  const byId = new Map(users.map((u) => [u.id, u]));
  const opps = [];
  for (let cursor = null; ; ) {
    const page = await api.call(`/opportunities?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    opps.push(...page.data);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  const count = new Map();
  for (const o of opps) count.set(o.name, (count.get(o.name) ?? 0) + 1);
  // the rep's teams: their own and those of the deals they own (private records show to the team)
  const repTeams = new Set([rep.team_id, ...opps.filter((o) => o.owner_id === rep.id).map((o) => o.team_id)]);
  repTeams.delete(null);
  repTeams.delete(undefined);
  const stranger = (o) => {
    const owner = byId.get(o.owner_id);
    return (
      owner &&
      owner.id !== rep.id &&
      owner.role === 'rep' &&
      owner.manager_id !== rep.id &&
      rep.manager_id !== owner.id &&
      !repTeams.has(owner.team_id) &&
      !repTeams.has(o.team_id) &&
      (!rep.region_id || owner.region_id !== rep.region_id) &&
      count.get(o.name) === 1
    );
  };
  const candidates = opps.filter(stranger);
  const shared = candidates[0];
  const hidden = candidates.find((o) => o.owner_id !== shared?.owner_id) ?? candidates[1];
  assert.ok(shared && hidden, 'the demo has two private-able opportunities of other reps');
  return { shared, hidden };
}

/** Picks an option of a Mantine Select (`input` is its text input). */
async function choose(page, input, option) {
  await input.click();
  await page.getByRole('option', { name: option }).first().click();
}

export function sharingTests({ test, browser, base, api, pageErrors = [] }) {
  test('sharing: admin sets opportunities to private and shares one with a rep, who sees only that one', async () => {
    const rep = (await api.call('/users?limit=500')).data.find((u) => u.email === REP_EMAIL);
    assert.ok(rep, 'demo rep exists');
    const { shared, hidden } = await pickOpportunities(api, rep);
    const before = (await api.call('/sharing/defaults')).data;

    const adminCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    adminCtx.setDefaultTimeout(20_000);
    await adminCtx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
    const admin = await adminCtx.newPage();
    admin.on('pageerror', (e) => pageErrors.push(e.message));
    const repCtx = await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    repCtx.setDefaultTimeout(20_000);
    await repCtx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
    const repPage = await repCtx.newPage();
    repPage.on('pageerror', (e) => pageErrors.push(e.message));
    let shareId = null;
    try {
      // 1. Admin → 共享设置: opportunities become private (one PUT, success message).
      await login(admin, base, DEMO);
      await admin.goto(`${base}/admin`);
      await admin.getByRole('tab', { name: '共享设置' }).click();
      await admin.waitForURL(/\/admin\/sharing$/);
      const select = admin.getByTestId('sharing-default-opportunities');
      await select.waitFor();
      await choose(admin, select, /私有/);
      await admin
        .getByTestId('sharing-hint-opportunities')
        .getByText('只有负责人、其上级、所在团队/区域经理和被共享的人可见')
        .waitFor();
      const put = admin.waitForResponse(
        (r) => r.url().endsWith('/api/v1/sharing/defaults') && r.request().method() === 'PUT',
      );
      await admin.getByTestId('sharing-save').click();
      assert.equal((await put).status(), 200);
      await admin.getByText('共享设置已保存').waitFor();
      const now = (await api.call('/sharing/defaults')).data;
      assert.equal(now.find((d) => d.entity === 'opportunities').access, 'private');
      for (const d of before.filter((x) => x.entity !== 'opportunities'))
        assert.equal(now.find((x) => x.entity === d.entity).access, d.access, `${d.entity} unchanged`);

      // 2. The admin shares one opportunity with the rep, read only.
      await admin.goto(`${base}/opportunities/${shared.id}`);
      await admin.getByTestId('record-title').getByText(shared.name).waitFor();
      await admin.getByTestId('share-open').click();
      const drawer = admin.getByRole('dialog');
      await drawer.getByText('尚未共享给任何人').waitFor();
      // nothing picked yet: asked to pick someone, nothing sent
      await drawer.getByTestId('share-add').click();
      await drawer.getByText('请先选择要共享的同事或团队').waitFor();
      await drawer.getByTestId('share-subject').fill(rep.name);
      await admin.getByRole('option', { name: rep.name, exact: true }).click();
      const post = admin.waitForResponse(
        (r) => r.url().includes(`/opportunities/${shared.id}/shares`) && r.request().method() === 'POST',
      );
      await drawer.getByTestId('share-add').click();
      const created = await post;
      assert.equal(created.status(), 201);
      shareId = (await created.json()).id;
      const item = drawer.locator(`[data-testid=share-item][data-subject="${rep.id}"]`);
      await item.getByText(rep.name).waitFor();
      assert.equal(await item.getByTestId('share-access-select').inputValue(), '只读');
      await admin.getByText(`已共享给 ${rep.name}`).waitFor();
      const stored = (await api.call(`/opportunities/${shared.id}/shares`)).data;
      assert.deepEqual(
        stored.map((s) => [s.subject_type, s.subject_id, s.access]),
        [['user', rep.id, 'read']],
      );
      await admin.keyboard.press('Escape');
      await admin.getByTestId('share-open').getByText('共享（1）').waitFor();

      // 3. The rep (on a phone) finds the shared opportunity and opens it read only…
      await login(repPage, base, { email: REP_EMAIL, password: DEMO.password });
      await repPage.goto(`${base}/opportunities?q=${encodeURIComponent(shared.name)}`);
      await repPage.getByTestId('list-row').filter({ hasText: shared.name }).first().waitFor();
      await repPage.goto(`${base}/opportunities/${shared.id}`);
      await repPage.getByTestId('record-title').getByText(shared.name).waitFor();
      const record = await repPage.evaluate(
        (id) => fetch(`/api/v1/opportunities/${id}`).then((r) => r.json()),
        shared.id,
      );
      // shared read only: the page says so and offers no edit or delete
      assert.equal(record.access, 'read');
      await repPage.getByTestId('record-read-only').waitFor();
      assert.equal(await repPage.getByRole('button', { name: '编辑', exact: true }).count(), 0);
      assert.equal(await repPage.getByRole('button', { name: '删除', exact: true }).count(), 0);
      // the rep sees who it is shared with but cannot change it; the drawer fills the phone
      await repPage.getByTestId('share-open').click();
      const repDrawer = repPage.getByRole('dialog');
      await repDrawer.getByTestId('share-readonly').waitFor();
      assert.equal(await repDrawer.getByTestId('share-form').count(), 0);
      assert.equal(await repDrawer.getByTestId('share-remove').count(), 0);
      const box = await repDrawer.boundingBox();
      assert.ok(box && box.width >= 385, `drawer is full width on a phone (${box?.width}px)`);
      const overflow = await repPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `no horizontal scrolling at 390 px (${overflow}px)`);
      await repPage.keyboard.press('Escape');

      // …but not another rep's private opportunity: not listed, not searchable, not openable.
      await repPage.goto(`${base}/opportunities?q=${encodeURIComponent(hidden.name)}`);
      await repPage.getByText('没有符合筛选条件的记录').waitFor();
      assert.equal(await repPage.getByTestId('list-row').filter({ hasText: hidden.name }).count(), 0);
      await repPage.goto(`${base}/opportunities/${hidden.id}`);
      await repPage.getByRole('alert').waitFor();
      assert.equal(await repPage.getByTestId('record-title').count(), 0);
      const status = await repPage.evaluate(
        (id) => fetch(`/api/v1/opportunities/${id}`).then((r) => r.status),
        hidden.id,
      );
      assert.equal(status, 404);
    } finally {
      // later tests expect the demo's open default and no share
      if (shareId)
        await api.call(`/opportunities/${shared.id}/shares/${shareId}`, { method: 'DELETE' }).catch(() => {});
      await api
        .call('/sharing/defaults', {
          method: 'PUT',
          body: JSON.stringify({ defaults: before.map(({ entity, access }) => ({ entity, access })) }),
        })
        .catch(() => {});
      await adminCtx.close();
      await repCtx.close();
    }
  });
}

/** Screenshots of the admin tab and the share drawer, 1280 px and 390 px, zh-CN and en. */
async function screenshots(browser, base, api) {
  const out = join(ROOT, 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const rep = (await api.call('/users?limit=500')).data.find((u) => u.email === REP_EMAIL);
  const { shared } = await pickOpportunities(api, rep);
  const teams = (await api.call('/teams?limit=50')).data;
  const before = (await api.call('/sharing/defaults')).data;
  await api.call('/sharing/defaults', {
    method: 'PUT',
    body: JSON.stringify({ defaults: [{ entity: 'opportunities', access: 'private' }] }),
  });
  const shares = [];
  // a user share and a team share, so the list shows both kinds
  shares.push(
    await api.call(`/opportunities/${shared.id}/shares`, {
      method: 'POST',
      body: JSON.stringify({ subject_type: 'user', subject_id: rep.id, access: 'read' }),
    }),
  );
  if (teams[0])
    shares.push(
      await api.call(`/opportunities/${shared.id}/shares`, {
        method: 'POST',
        body: JSON.stringify({ subject_type: 'team', subject_id: teams[0].id, access: 'edit' }),
      }),
    );
  try {
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
        await login(page, base);
        await page.goto(`${base}/admin/sharing`);
        await page.getByTestId('sharing-default-opportunities').waitFor();
        await page.waitForTimeout(600);
        await page.screenshot({ path: join(out, `sharing-admin${suffix}.${lang}.png`), fullPage: true });
        await page.goto(`${base}/opportunities/${shared.id}`);
        await page.getByTestId('record-title').waitFor();
        await page.getByTestId('share-open').click();
        await page.getByRole('dialog').getByTestId('share-item').first().waitFor();
        await page.waitForTimeout(600);
        await page.screenshot({ path: join(out, `sharing-dialog${suffix}.${lang}.png`) });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        console.log(`${lang} ${viewport.width}px share drawer: horizontal overflow ${overflow}px`);
        await ctx.close();
      }
    }
    console.log(`screenshots written to ${out}`);
  } finally {
    for (const s of shares)
      await api.call(`/opportunities/${shared.id}/shares/${s.id}`, { method: 'DELETE' }).catch(() => {});
    await api.call('/sharing/defaults', {
      method: 'PUT',
      body: JSON.stringify({ defaults: before.map(({ entity, access }) => ({ entity, access })) }),
    });
  }
}

await runStandalone(import.meta.url, sharingTests, { screenshots });

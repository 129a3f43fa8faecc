#!/usr/bin/env node
// Browser test for Admin → Mappings (the low-code mapping editor, issue 10 item 4), in zh-CN: an admin
// creates a mapping onto signals, pastes a helpdesk ticket (not our signal shape), picks fields from
// the sample tree into the target fields and types the rest, sees the live preview under each field,
// types a broken expression and sees the error at that field in Chinese, fixes it, activates the
// draft (v1, 已启用), runs a test run of the active version and sees it in the run history; the API
// then shows version 1 with those expressions and no signal stored by the test run.
//   from e2e/run.mjs: mappingsTests({ test, browser, base, api, pageErrors })
//   alone:            node e2e/mappings.mjs   (fresh server, only these tests)
//   ZHONGSHU_WEB_DIST=… serves another build of the web app than web/dist.
import assert from 'node:assert/strict';
import { login, runStandalone } from './lib.mjs';

/** The expression input of a target field (FieldMappings puts `data-field` on it). */
const fieldInput = (page, key) => page.locator(`input[data-field="${key}"]`);
/** The error shown under that field's input. */
const fieldError = (page, key) =>
  page
    .locator(`.mantine-InputWrapper-root:has(input[data-field="${key}"]) .mantine-InputWrapper-error`)
    .first();
/** The preview's value under that field's input. */
const fieldValue = (page, key) => page.getByTestId(`value-${key}`);
const CHINESE = /[\u4e00-\u9fff]/;

export function mappingsTests({ test, browser, base, api, pageErrors = [] }) {
  test('mappings: admin maps a foreign ticket onto signals, fixes an error at the field, activates and test-runs it (zh-CN)', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(20_000);
    await ctx.addInitScript(() => localStorage.setItem('zs.lang', 'zh-CN'));
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const stamp = Date.now().toString(36);
    const name = `E2E工单映射${stamp}`;
    const source = `helpdesk-e2e-${stamp}`;
    const domain = `huarui-${stamp}.example`;
    // A helpdesk system's ticket: nothing in it is named like our signal fields.
    const ticket = {
      event: 'ticket.created',
      ticket: {
        id: `TK-${stamp}`,
        title: '报表导出一直失败',
        priority: 'high',
        created_at: '2026-11-30T08:15:00.000Z',
      },
      requester: {
        email: `li.wei@${domain}`,
        org: { name: `华瑞精密制造${stamp}有限公司`, website: domain },
      },
      tags: ['导出', '报表'],
    };
    let mappingId = null;
    try {
      await login(page, base);
      await page.goto(`${base}/admin/mappings`);

      // Create: name, target 信号 (the default), no source.
      await page.getByRole('button', { name: '新建映射' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('textbox', { name: '名称' }).fill(name);
      assert.equal(await dialog.getByRole('textbox', { name: '映射到' }).inputValue(), '信号');
      await dialog.getByRole('button', { name: '创建' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('heading', { name }).waitFor();
      await page.getByText('未启用').waitFor();
      const created = (await api.call('/mappings?limit=200')).data.find((m) => m.name === name);
      assert.ok(created, 'the mapping is stored');
      mappingId = created.id;
      assert.equal(created.target, 'signal');
      assert.equal(created.active_version, null);

      // Paste the sample: its fields appear in the picker; without mappings the required fields say so, in Chinese.
      await page.getByTestId('sample').fill(JSON.stringify(ticket, null, 2));
      const picker = page.getByRole('list', { name: '样例中的字段' });
      await picker.locator('[data-path="requester.org.name"]').waitFor();
      await fieldError(page, 'type').getByText('必填：请为这个字段设置取值').waitFor();

      // Typed expressions, with the preview's value under each field.
      await fieldInput(page, 'type').fill("'support_ticket'");
      await fieldValue(page, 'type').getByText('= support_ticket').waitFor();
      await fieldInput(page, 'source').fill(`'${source}'`);
      await fieldValue(page, 'source').getByText(`= ${source}`).waitFor();

      // Picked from the tree into the selected field.
      const pickInto = async (key, path) => {
        await fieldInput(page, key).click();
        await picker.locator(`[data-path="${path}"]`).click();
        assert.equal(await fieldInput(page, key).inputValue(), path);
      };
      await pickInto('occurred_at', 'ticket.created_at');
      await fieldValue(page, 'occurred_at').getByText('= 2026-11-30T08:15:00.000Z').waitFor();
      await pickInto('domain', 'requester.org.website');
      await fieldValue(page, 'domain').getByText(`= ${domain}`).waitFor();
      await pickInto('company_name', 'requester.org.name');
      await fieldValue(page, 'company_name').getByText(`= ${ticket.requester.org.name}`).waitFor();
      // A payload key of its own, picked too; and one typed as a formula.
      await page.getByRole('textbox', { name: '内容字段名' }).fill('priority');
      await page.getByRole('button', { name: '添加内容字段' }).click();
      await fieldInput(page, 'payload.priority').waitFor();
      await picker.locator('[data-path="ticket.priority"]').click();
      assert.equal(await fieldInput(page, 'payload.priority').inputValue(), 'ticket.priority');
      await fieldValue(page, 'payload.priority').getByText('= high').waitFor();
      await page.getByRole('textbox', { name: '内容字段名' }).fill('subject');
      await page.getByRole('button', { name: '添加内容字段' }).click();
      await fieldInput(page, 'payload.subject').fill("ticket.id & '：' & ticket.title");
      await fieldValue(page, 'payload.subject').getByText(`= TK-${stamp}：报表导出一直失败`).waitFor();
      await fieldError(page, 'type').waitFor({ state: 'detached' });

      // A broken expression: the error is at that field, in Chinese; the others keep their values.
      await fieldInput(page, 'company_name').fill('requester.org.(');
      const err = fieldError(page, 'company_name');
      await err.getByText(/表达式写法有误/).waitFor();
      assert.match((await err.textContent()) ?? '', CHINESE);
      assert.equal(await fieldInput(page, 'company_name').getAttribute('aria-invalid'), 'true');
      assert.equal(await fieldInput(page, 'domain').getAttribute('aria-invalid'), 'false');
      await fieldValue(page, 'domain').getByText(`= ${domain}`).waitFor();
      assert.equal(await page.getByTestId('other-errors').count(), 0);
      // …fixed: the error goes, the value is back.
      await fieldInput(page, 'company_name').fill('requester.org.name');
      await fieldValue(page, 'company_name').getByText(`= ${ticket.requester.org.name}`).waitFor();
      assert.equal(await err.count(), 0);
      assert.equal(await fieldInput(page, 'company_name').getAttribute('aria-invalid'), 'false');
      await page.getByText('有未保存的修改').waitFor();

      // Activate the draft (saves it first): version 1, badge 已启用.
      await page.getByRole('button', { name: '启用', exact: true }).click();
      await page.getByTestId('active-badge').getByText('已启用 v1').waitFor();
      await page.getByText('已启用第 1 版').waitFor();
      await page.getByText('有未保存的修改').waitFor({ state: 'detached' });

      // Test run of the active version: passes, stored nothing, listed in the run history.
      await page.getByText('已启用版本', { exact: true }).click();
      await page.getByRole('button', { name: '试运行', exact: true }).click();
      const result = page.getByTestId('test-result');
      await result.getByText('校验通过（试运行，未保存）').waitFor();
      const runs = page.getByTestId('runs');
      await runs.waitFor();
      const run = runs.locator('.mantine-Paper-root').first();
      await run.getByText('试运行', { exact: true }).waitFor();
      await run.getByText('成功', { exact: true }).waitFor();
      await run.getByText('v1', { exact: true }).waitFor();
      await run.getByText(new RegExp(`TK-${stamp}`)).waitFor();
      await page.getByRole('tab', { name: '版本记录' }).click();
      await page.getByTestId('versions').getByText('已启用 v1').waitFor();

      // Through the API: the version with these expressions, the run, and no signal from it.
      const versions = (await api.call(`/mappings/${mappingId}/versions`)).data;
      assert.equal(versions.length, 1);
      assert.equal(versions[0].version, 1);
      assert.equal(versions[0].active, true);
      assert.deepEqual(versions[0].fields, {
        type: "'support_ticket'",
        source: `'${source}'`,
        occurred_at: 'ticket.created_at',
        domain: 'requester.org.website',
        company_name: 'requester.org.name',
        'payload.priority': 'ticket.priority',
        'payload.subject': "ticket.id & '：' & ticket.title",
      });
      const stored = await api.call(`/mappings/${mappingId}`);
      assert.equal(stored.active_version, 1);
      assert.equal(stored.status, 'active');
      const apiRuns = (await api.call(`/mappings/${mappingId}/runs?limit=50`)).data;
      assert.deepEqual(
        apiRuns.map((r) => [r.trigger, r.status, r.version]),
        [['test', 'ok', 1]],
      );
      assert.equal(
        (await api.call(`/signals?source=${encodeURIComponent(source)}&limit=500`)).data.length,
        0,
      );
      const accounts = (await api.call(`/accounts?q=${encodeURIComponent(ticket.requester.org.name)}`)).data;
      assert.equal(accounts.length, 0, 'the test run created no account either');
    } finally {
      if (mappingId) await api.call(`/mappings/${mappingId}`, { method: 'DELETE' }).catch(() => {});
      await ctx.close();
    }
  });
}

await runStandalone(import.meta.url, mappingsTests, {});

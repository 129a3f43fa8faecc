import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { type SmtpCatcher, startSmtpCatcher } from '../../../test/smtp-catcher.js';
import { addWorkingDays, DEFAULT_CALENDAR, localDay } from '../../platform/calendar/working-calendar.js';
import { computeClock } from './sovereignty-cases.service.js';

let t: TestServer;
let catcher: SmtpCatcher;
const admin = () => t.tenantA.tokens.admin;
const bj = (s: string) => new Date(`${s}+08:00`);

let seq = 0;
async function contact(name: string, token = admin()) {
  const res = await t.request('POST', '/api/v1/contacts', {
    token,
    body: { name, emails: [`person${++seq}@example.cn`] },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function open(body: Record<string, unknown>, token = admin()) {
  const res = await t.request('POST', '/api/v1/privacy/cases', { token, body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function act(id: string, action: string, body: unknown, token = admin()) {
  return t.request('POST', `/api/v1/privacy/cases/${id}/${action}`, { token, body });
}

async function eventsNamed(name: string): Promise<Record<string, unknown>[]> {
  const { rows } = await t.server.platform.database.query<{ payload: Record<string, unknown> }>(
    'select payload from domain_events where name = $1 order by id',
    [name],
  );
  return rows.map((r) => r.payload);
}

beforeAll(async () => {
  catcher = await startSmtpCatcher();
  t = await startTestServer({ mail: { smtpUrl: catcher.url, from: 'zhongshu@example.test' } });
});
afterAll(async () => {
  await t?.close();
  await catcher?.close();
});

describe('legal clocks', () => {
  it('PIPL: 15 working days across 国庆 and the 调休 Saturday', async () => {
    const id = await contact('李雷');
    // Received Monday 28 Sep 2026: 29, 30 Sep, 8, 9, 10 (调休 Saturday), 12–16, 19–23 Oct → 23 Oct.
    const c = await open({
      kind: 'access',
      contact_id: id,
      channel: 'letter',
      received_at: '2026-09-28T10:00:00+08:00',
    });
    expect(c.regime).toBe('pipl');
    expect(c.state).toBe('received');
    expect(c.clock.unit).toBe('working_days');
    expect(c.clock.period).toEqual({ working_days: 15 });
    expect(c.clock.due_date).toBe('2026-10-23');
    expect(c.clock.due_at).toBe(bj('2026-10-23T18:00:00').toISOString());
    expect(c.contact.name).toBe('李雷');
  });

  it('GDPR: one calendar month, 31 Jan → 28 Feb; extended once by two months with a reason', async () => {
    const id = await contact('Anna Schmidt');
    const c = await open({
      kind: 'portability',
      contact_id: id,
      channel: 'email',
      regime: 'gdpr',
      received_at: '2026-01-31T15:00:00+08:00',
    });
    expect(c.clock.unit).toBe('days');
    expect(c.clock.due_date).toBe('2026-02-28');
    expect(c.can_extend).toBe(true);

    const noReason = await act(c.id, 'extend', { months: 2, reason: '' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');

    const ext = await act(c.id, 'extend', {
      months: 2,
      reason: 'Many systems to search; the requester was told on 20 Feb',
    });
    expect(ext.statusCode, ext.body).toBe(200);
    // Three months from receipt in all, clamped to the month end (31 Jan → 30 Apr).
    expect(ext.json().clock.due_date).toBe('2026-04-30');
    expect(ext.json().history.at(-1)).toMatchObject({
      kind: 'extended',
      data: { months: 2, due_before: '2026-02-28' },
    });

    const again = await act(c.id, 'extend', { months: 1, reason: 'more' });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors[0].field).toBe('months');
  });

  it('a PIPL deadline cannot be extended', async () => {
    const c = await open({ kind: 'access', contact_id: await contact('韩梅梅'), channel: 'phone' });
    const res = await act(c.id, 'extend', { months: 1, reason: 'x' });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe('months');
  });

  it('the tenant calendar: PIPL days, extra holidays (a year the package does not know), audited', async () => {
    const before = await t.request('GET', '/api/v1/privacy/calendar', { token: admin() });
    expect(before.json()).toMatchObject({
      default_regime: 'pipl',
      pipl_working_days: 15,
      work_start: '09:00',
    });
    const put = await t.request('PUT', '/api/v1/privacy/calendar', {
      token: admin(),
      body: {
        default_regime: 'pipl',
        pipl_working_days: 10,
        work_start: '09:00',
        work_end: '18:00',
        lunch: null,
        extra_holidays: ['2026-11-04'],
        extra_working_days: ['2026-11-07'],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    // Received Tue 3 Nov: 5, 6, 7 (extra working Saturday), 9–13, 16, 17 → 10 working days = 17 Nov.
    const c = await open({
      kind: 'objection',
      contact_id: await contact('王芳'),
      channel: 'staff',
      received_at: '2026-11-03T09:30:00+08:00',
    });
    expect(c.clock.period).toEqual({ working_days: 10 });
    expect(c.clock.due_date).toBe('2026-11-17');

    const bad = await t.request('PUT', '/api/v1/privacy/calendar', {
      token: admin(),
      body: {
        default_regime: 'pipl',
        pipl_working_days: 10,
        work_start: '09:00',
        work_end: '08:00',
        lunch: null,
        extra_holidays: [],
        extra_working_days: [],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('work_end');

    const audit = await t.server.platform.database.query<{ entity: string; actor_id: string }>(
      "select entity, actor_id from change_log where entity = 'privacy_calendar_settings'",
    );
    expect(audit.rows).toEqual([{ entity: 'privacy_calendar_settings', actor_id: t.tenantA.userIds.admin }]);

    // Back to the defaults for the other tests.
    await t.request('PUT', '/api/v1/privacy/calendar', {
      token: admin(),
      body: {
        default_regime: 'pipl',
        pipl_working_days: 15,
        work_start: '09:00',
        work_end: '18:00',
        lunch: { start: '12:00', end: '13:00' },
        extra_holidays: [],
        extra_working_days: [],
      },
    });
  });

  it('pausing moves the due date by the time paused (derived from the history)', () => {
    const received = bj('2026-09-28T09:00:00');
    const row = {
      regime: 'pipl',
      received_at: received,
      due_working_days: 15,
      extension_months: 0,
      state: 'in_progress',
      closed_at: null,
    };
    const history = [
      { to_state: 'received', at: received },
      { to_state: 'in_progress', at: received },
      { to_state: 'waiting_on_requester', at: bj('2026-09-29T10:00:00') },
      { to_state: 'in_progress', at: bj('2026-10-08T10:00:00') },
    ];
    // Paused: 29 Sep 10–18 (7 h working), 30 Sep (8 h), the holiday (0), 8 Oct 9–10 (1 h) = 2 working days.
    const clock = computeClock(row, history, DEFAULT_CALENDAR, bj('2026-10-09T12:00:00'));
    expect(clock.paused_working_minutes).toBe(16 * 60);
    expect(clock.due_date).toBe('2026-10-27'); // 23 Oct + 2 working days (Mon 26, Tue 27)
    expect(computeClock(row, history.slice(0, 2), DEFAULT_CALENDAR, bj('2026-10-09T12:00:00')).due_date).toBe(
      '2026-10-23',
    );
    // Still waiting: the clock stands still and says so.
    const waiting = computeClock(
      { ...row, state: 'waiting_on_requester' },
      history.slice(0, 3),
      DEFAULT_CALENDAR,
      bj('2026-10-09T12:00:00'),
    );
    expect(waiting.status).toBe('paused');
    expect(waiting.paused_since).toBe(bj('2026-09-29T10:00:00').toISOString());

    // GDPR: three calendar days paused move 28 Feb to 3 Mar.
    const gdpr = computeClock(
      { ...row, regime: 'gdpr', received_at: bj('2026-01-31T10:00:00'), due_working_days: null },
      [
        { to_state: 'waiting_on_requester', at: bj('2026-02-02T10:00:00') },
        { to_state: 'in_progress', at: bj('2026-02-05T10:00:00') },
      ],
      DEFAULT_CALENDAR,
      bj('2026-02-10T10:00:00'),
    );
    expect(gdpr.due_date).toBe('2026-03-03');
    expect(gdpr.remaining_days).toBe(21);
  });

  it('waiting on the requester pauses the clock through the API; their reply resumes it', async () => {
    const c = await open({ kind: 'access', contact_id: await contact('张伟'), channel: 'phone' });
    const noMessage = await act(c.id, 'transition', { to: 'waiting_on_requester' });
    expect(noMessage.statusCode).toBe(422);
    expect(noMessage.json().errors[0].field).toBe('message');

    const verifying = await act(c.id, 'transition', { to: 'verifying' });
    expect(verifying.json().state).toBe('verifying');
    const wait = await act(c.id, 'transition', {
      to: 'waiting_on_requester',
      message: '请寄送身份证复印件以核验身份',
    });
    expect(wait.statusCode, wait.body).toBe(200);
    expect(wait.json().clock.status).toBe('paused');
    expect(wait.json().clock.paused_since).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));

    const reply = await act(c.id, 'reply-received', { message: '身份证复印件已寄到' });
    expect(reply.statusCode, reply.body).toBe(200);
    const body = reply.json();
    expect(body.state).toBe('verifying'); // back to where it was
    expect(body.clock.status).not.toBe('paused');
    expect(body.clock.paused_ms).toBeGreaterThan(0);
    expect(body.history.map((h: { kind: string }) => h.kind)).toEqual(['opened', 'state', 'state', 'reply']);
    expect(body.history[2]).toMatchObject({
      from_state: 'verifying',
      to_state: 'waiting_on_requester',
      actor_id: t.tenantA.userIds.admin,
      message: '请寄送身份证复印件以核验身份',
    });

    const done = await act(c.id, 'transition', { to: 'in_progress' });
    expect(done.json()).toMatchObject({ state: 'in_progress', identity_verified: true });
    const completed = await act(c.id, 'transition', {
      to: 'completed',
      reason: 'Copy of the data sent by post',
    });
    expect(completed.json()).toMatchObject({
      state: 'completed',
      resolution: 'Copy of the data sent by post',
    });
    expect(completed.json().clock).toMatchObject({ status: 'stopped', closed_on_time: true });

    const opened = await eventsNamed('privacy_cases.opened');
    expect(opened.some((p) => (p.case as { id: string }).id === c.id)).toBe(true);
    const changed = (await eventsNamed('privacy_cases.state_changed')).filter(
      (p) => (p.case as { id: string }).id === c.id,
    );
    expect(changed.map((p) => p.to)).toEqual([
      'verifying',
      'waiting_on_requester',
      'verifying',
      'in_progress',
      'completed',
    ]);
    const completedEvents = await eventsNamed('privacy_cases.completed');
    expect(completedEvents.some((p) => (p.case as { id: string }).id === c.id)).toBe(true);
    // Events carry no free text about the person.
    expect(JSON.stringify(changed)).not.toContain('身份证');
  });
});

describe('states and errors', () => {
  it('a portal sign-in (verified identity) starts the case in progress', async () => {
    const c = await open({
      kind: 'erasure',
      contact_id: await contact('赵敏'),
      channel: 'portal',
      identity_verified: true,
    });
    expect(c).toMatchObject({ state: 'in_progress', identity_verified: true });
    // An erasure case completes by carrying out the erasure, not by a plain move.
    const res = await act(c.id, 'transition', { to: 'completed' });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe('to');
  });

  it('"carry out erasure" erases the person and completes the case with the proof report', async () => {
    const id = await contact('欧阳锋');
    const erasedEmail = `person${seq}@example.cn`;
    const notice = await t.request('POST', '/api/v1/privacy/notices', {
      token: admin(),
      body: { title_zh: '隐私政策', title_en: 'Privacy notice', text_zh: '……', text_en: '…', publish: true },
    });
    expect(notice.statusCode, notice.body).toBe(201);
    const granted = await t.request('POST', `/api/v1/contacts/${id}/consents`, {
      token: admin(),
      body: { purpose: 'marketing_email', granted: true, note: '欧阳锋电话中同意' },
    });
    expect(granted.statusCode, granted.body).toBeLessThan(300);
    await open({ kind: 'access', contact_id: id, channel: 'phone', details: '欧阳锋来电要求查阅' });
    const c = await open({
      kind: 'erasure',
      contact_id: id,
      channel: 'letter',
      details: '欧阳锋来信要求删除其全部个人信息',
    });
    const early = await act(c.id, 'erase', {});
    expect(early.statusCode).toBe(409); // identity not verified yet
    expect(early.json().errors[0].field).toBe('state');
    await act(c.id, 'transition', { to: 'in_progress' });
    const res = await t.request('POST', `/api/v1/privacy/cases/${c.id}/erase`, { token: admin() });
    expect(res.statusCode, res.body).toBe(200);
    const done = res.json();
    expect(done).toMatchObject({ state: 'completed', resolution: 'erased', details: null });
    expect(done.proof_report_id).toEqual(expect.any(String));
    expect(done.contact).toMatchObject({ exists: false, name: null });
    expect(done.history.at(-1)).toMatchObject({ kind: 'erasure', to_state: 'completed' });
    expect(JSON.stringify(done)).not.toContain('欧阳锋');
    expect((await t.request('GET', `/api/v1/contacts/${id}`, { token: admin() })).statusCode).toBe(404);
    // The sovereignty module's own data about the person went too: consent history, their words
    // on their other requests (kept as the record they were handled).
    const report = (
      await t.request('GET', `/api/v1/privacy/erasures/${done.proof_report_id}`, { token: admin() })
    ).json();
    const outcome = (table: string) =>
      report.outcomes.find(
        (o: { module: string; table: string }) => o.module === 'sovereignty' && o.table === table,
      );
    expect(outcome('consent_events')).toMatchObject({ action: 'deleted', rows: 1 });
    expect(outcome('privacy_cases')).toMatchObject({ action: 'anonymised' });
    expect(outcome('privacy_cases').rows).toBeGreaterThanOrEqual(2);
    const { rows: left } = await t.server.platform.database.query<{ n: number; words: number }>(
      `select (select count(*)::int from consent_events where contact_id = $1) as n,
              (select count(*)::int from privacy_cases where contact_id = $1 and details is not null) as words`,
      [id],
    );
    expect(left[0]).toEqual({ n: 0, words: 0 });
    // The erased person is not created again by accident: neither typed in nor imported.
    const retyped = await t.request('POST', '/api/v1/contacts', {
      token: admin(),
      headers: { 'accept-language': 'zh-CN' },
      body: { name: '欧阳锋', emails: [erasedEmail] },
    });
    expect(retyped.statusCode, retyped.body).toBe(422);
    expect(retyped.json().errors[0]).toMatchObject({
      field: 'emails.0',
      reason: '属于已删除个人信息的联系人',
    });
    const csv = `姓名,邮箱\n欧阳锋,${erasedEmail}\n黄药师,huang.yaoshi${seq}@example.cn\n`;
    const imported = await t.request('POST', '/api/v1/imports', {
      token: admin(),
      body: {
        entity: 'contacts',
        filename: 'contacts.csv',
        content_base64: Buffer.from(csv).toString('base64'),
        dry_run: true,
      },
    });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ total: 2, valid: 1, invalid: 1 });
    expect(imported.json().errors[0]).toMatchObject({ row: 2, field: 'emails' });
    const completed = await eventsNamed('privacy_cases.completed');
    expect(completed.find((p) => (p.case as { id: string }).id === c.id)?.proof_report_id).toBe(
      done.proof_report_id,
    );
  });

  it('erasure also blanks the resolution, the extension reason and the words in case events (review item 10)', async () => {
    const id = await contact('慕容复');
    const rejected = await open({ kind: 'objection', contact_id: id, channel: 'letter' });
    const r = await act(rejected.id, 'transition', { to: 'rejected', reason: '慕容复未能提供身份证明' });
    expect(r.statusCode, r.body).toBe(200);
    const gdpr = await open({ kind: 'access', contact_id: id, channel: 'email', regime: 'gdpr' });
    const ext = await act(gdpr.id, 'extend', { months: 1, reason: '慕容复名下记录分散在多个系统' });
    expect(ext.statusCode, ext.body).toBe(200);
    const c = await open({ kind: 'erasure', contact_id: id, channel: 'letter' });
    await act(c.id, 'transition', { to: 'in_progress' });
    const done = await t.request('POST', `/api/v1/privacy/cases/${c.id}/erase`, { token: admin() });
    expect(done.statusCode, done.body).toBe(200);
    const { rows } = await t.server.platform.database.query<{ words: string }>(
      `select coalesce(string_agg(concat_ws(' ', c.resolution, c.extension_reason, c.details), ' '), '') ||
              coalesce((select string_agg(concat_ws(' ', e.message, e.data::text), ' ') from privacy_case_events e
                        where e.case_id in (select id from privacy_cases where contact_id = $1)), '') as words
         from privacy_cases c where c.contact_id = $1`,
      [id],
    );
    expect(rows[0].words).not.toContain('慕容复');
    // What the law requires stays: the states, the extension's months.
    const after = (await t.request('GET', `/api/v1/privacy/cases/${gdpr.id}`, { token: admin() })).json();
    expect(after.history.find((h: { kind: string }) => h.kind === 'extended')).toMatchObject({
      data: { months: 1 },
      message: null,
    });
    const rej = (await t.request('GET', `/api/v1/privacy/cases/${rejected.id}`, { token: admin() })).json();
    expect(rej).toMatchObject({ state: 'rejected', resolution: null });
  });

  it('the receipt date is an ISO date, not in the future, at most a year back (review item 13)', async () => {
    const id = await contact('段誉');
    const yearAgo = new Date(Date.now() - 367 * 86_400_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    for (const [received_at, en, zh] of [
      ['1', 'The receipt date is not a date', '收到日期格式不对'],
      ['0001-01-01', 'The receipt date is more than a year ago', '收到日期不能早于一年前'],
      ['3 March 2026', 'The receipt date is not a date', '收到日期格式不对'],
      [yearAgo, 'The receipt date is more than a year ago', '收到日期不能早于一年前'],
      [tomorrow, 'The receipt date is in the future', '收到日期不能晚于今天'],
    ]) {
      for (const [lang, detail] of [
        ['en', en],
        ['zh-CN', zh],
      ]) {
        const r = await t.request('POST', '/api/v1/privacy/cases', {
          token: admin(),
          headers: { 'accept-language': lang },
          body: { kind: 'access', contact_id: id, channel: 'letter', received_at },
        });
        expect(r.statusCode, `${received_at}: ${r.body}`).toBe(422);
        expect(r.json().errors[0].field).toBe('received_at');
        expect(r.json().detail).toBe(detail);
      }
    }
    const ok = await open({
      kind: 'access',
      contact_id: id,
      channel: 'letter',
      received_at: new Date(Date.now() - 300 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(ok.state).toBe('received');
  });

  it('invalid moves are problem+json naming the field, in English and Chinese', async () => {
    const c = await open({ kind: 'restriction', contact_id: await contact('周杰'), channel: 'letter' });
    const reject = await act(c.id, 'transition', { to: 'rejected' });
    expect(reject.statusCode).toBe(422);
    expect(reject.headers['content-type']).toContain('application/problem+json');
    expect(reject.json().errors[0].field).toBe('reason');

    const rejected = await act(c.id, 'transition', { to: 'rejected', reason: '无法核实申请人身份' });
    expect(rejected.json()).toMatchObject({ state: 'rejected', resolution: '无法核实申请人身份' });

    const reopen = await t.request('POST', `/api/v1/privacy/cases/${c.id}/transition`, {
      token: admin(),
      body: { to: 'in_progress' },
      headers: { 'accept-language': 'zh-CN' },
    });
    expect(reopen.statusCode).toBe(409);
    expect(reopen.headers['content-type']).toContain('application/problem+json');
    const problem = reopen.json();
    expect(problem.errors[0].field).toBe('to');
    expect(problem.detail).toBe('「已驳回」的工单不能改为「处理中」');
    expect(problem.errors[0].reason).toBe('已结束的工单不能再修改');

    const en = await act(c.id, 'transition', { to: 'in_progress' });
    expect(en.json().detail).toBe('A case that is rejected cannot be moved to in progress');

    const noContact = await t.request('POST', '/api/v1/privacy/cases', {
      token: admin(),
      body: { kind: 'access', contact_id: '00000000-0000-4000-8000-000000000000', channel: 'phone' },
    });
    expect(noContact.statusCode).toBe(422);
    expect(noContact.json().errors[0].field).toBe('contact_id');
  });

  it('assigns only to colleagues who may work privacy cases', async () => {
    const c = await open({ kind: 'access', contact_id: await contact('钱七'), channel: 'staff' });
    const rep = await act(c.id, 'assign', { assignee_id: t.tenantA.userIds.rep });
    expect(rep.statusCode).toBe(422);
    expect(rep.json().errors[0].field).toBe('assignee_id');
    const ok = await act(c.id, 'assign', { assignee_id: t.tenantA.userIds.admin });
    expect(ok.json()).toMatchObject({ assignee_id: t.tenantA.userIds.admin, assignee_name: 'admin acme' });
    const mine = await t.request('GET', '/api/v1/privacy/cases?assignee=me', { token: admin() });
    expect(mine.json().data.map((x: { id: string }) => x.id)).toContain(c.id);
  });

  it('a rectification is approved and applied to the contact as changed by the customer', async () => {
    const id = await contact('孙丽');
    const c = await open({
      kind: 'rectification',
      contact_id: id,
      channel: 'email',
      identity_verified: true,
      payload: { field: 'title', value: '采购总监' },
    });
    const res = await act(c.id, 'rectification', { decision: 'approve' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().state).toBe('completed');
    const got = await t.request('GET', `/api/v1/contacts/${id}`, { token: admin() });
    expect(got.json().title).toBe('采购总监');
    const lineage = await t.request('GET', `/api/v1/contacts/${id}/lineage`, { token: admin() });
    const title = lineage.json().data.find((l: { field: string }) => l.field === 'title');
    expect(title).toMatchObject({ source: 'portal', actor_type: 'customer', actor_name: '孙丽' });

    const badField = await t.request('POST', '/api/v1/privacy/cases', {
      token: admin(),
      body: {
        kind: 'rectification',
        contact_id: id,
        channel: 'email',
        payload: { field: 'owner_id', value: 'x' },
      },
    });
    expect(badField.statusCode).toBe(422);
    expect(badField.json().errors[0].field).toBe('payload.field');
  });
});

describe('access', () => {
  it('cross-tenant: another tenant sees 404 and an empty queue', async () => {
    const c = await open({ kind: 'access', contact_id: await contact('吴刚'), channel: 'phone' });
    const other = t.tenantB.tokens.admin;
    expect((await t.request('GET', `/api/v1/privacy/cases/${c.id}`, { token: other })).statusCode).toBe(404);
    expect((await act(c.id, 'transition', { to: 'verifying' }, other)).statusCode).toBe(404);
    const list = await t.request('GET', '/api/v1/privacy/cases', { token: other });
    expect(list.json().data).toEqual([]);
    // Nor can a case be opened for the other tenant's contact.
    const res = await t.request('POST', '/api/v1/privacy/cases', {
      token: other,
      body: { kind: 'access', contact_id: c.contact_id, channel: 'phone' },
    });
    expect(res.statusCode).toBe(422);
  });

  it('privacy:read reads, privacy:manage acts; a rep without privacy:read gets 403', async () => {
    const c = await open({ kind: 'withdrawal', contact_id: await contact('郑和'), channel: 'letter' });
    expect(
      (await t.request('GET', '/api/v1/privacy/cases', { token: t.tenantA.tokens.rep })).statusCode,
    ).toBe(403);
    expect(
      (await t.request('GET', `/api/v1/privacy/cases/${c.id}`, { token: t.tenantA.tokens.rep })).statusCode,
    ).toBe(403);
    const manager = t.tenantA.tokens.manager;
    const got = await t.request('GET', `/api/v1/privacy/cases/${c.id}`, { token: manager });
    expect(got.statusCode).toBe(200);
    expect(got.json().history[0]).toMatchObject({ kind: 'opened', actor_id: t.tenantA.userIds.admin });
    expect((await act(c.id, 'transition', { to: 'verifying' }, manager)).statusCode).toBe(403);
    const put = await t.request('PUT', '/api/v1/privacy/calendar', { token: manager, body: {} });
    expect(put.statusCode).toBe(403);
  });

  it('record sharing: a reader who may not see the contact sees the case, not the person', async () => {
    const setContacts = (access: string) =>
      t.request('PUT', '/api/v1/sharing/defaults', {
        token: admin(),
        body: {
          defaults: [
            { entity: 'accounts', access },
            { entity: 'contacts', access },
          ],
        },
      });
    expect((await setContacts('private')).statusCode).toBe(200);
    try {
      const c = await open({ kind: 'access', contact_id: await contact('保密联系人'), channel: 'letter' });
      const got = await t.request('GET', `/api/v1/privacy/cases/${c.id}`, {
        token: t.tenantA.tokens.manager,
      });
      expect(got.statusCode).toBe(200);
      expect(got.json().contact).toMatchObject({ exists: true, readable: false, name: null, emails: [] });
      expect(got.body).not.toContain('保密联系人');
      const mine = await t.request('GET', `/api/v1/privacy/cases/${c.id}`, { token: admin() });
      expect(mine.json().contact).toMatchObject({ readable: true, name: '保密联系人' });
    } finally {
      await setContacts('public_read_write');
    }
  });

  it('filters the queue by state, kind and overdue', async () => {
    const overdue = await open({
      kind: 'objection',
      contact_id: await contact('冯九'),
      channel: 'letter',
      received_at: '2026-03-02T10:00:00+08:00',
    });
    const list = await t.request('GET', '/api/v1/privacy/cases?overdue=true&kind=objection', {
      token: admin(),
    });
    expect(list.statusCode, list.body).toBe(200);
    const ids = list.json().data.map((x: { id: string }) => x.id);
    expect(ids).toContain(overdue.id);
    expect(
      list.json().data.every((x: { kind: string; clock: { status: string } }) => x.kind === 'objection'),
    ).toBe(true);
    const open_ = await t.request('GET', '/api/v1/privacy/cases?state=open&page_size=2', { token: admin() });
    expect(open_.json().data.length).toBeLessThanOrEqual(2);
    expect(open_.json().total).toBeGreaterThan(2);
  });
});

describe('deadline warnings', () => {
  it('mails the privacy managers (unassigned) and the assignee before and after the deadline, once per level', async () => {
    const cal = DEFAULT_CALENDAR;
    const today = localDay(new Date(), cal.timeZone);
    // Received 13 working days ago: due in 2 working days → "due soon".
    const soonFrom = addWorkingDays(today, -13, cal);
    const soon = await open({
      kind: 'access',
      contact_id: await contact('陈小春'),
      channel: 'letter',
      received_at: `${soonFrom}T10:00:00+08:00`,
    });
    expect(soon.clock.status).toBe('due_soon');
    // Received 30 working days ago and assigned: overdue.
    const late = await open({
      kind: 'erasure',
      contact_id: await contact('林青霞'),
      channel: 'letter',
      received_at: `${addWorkingDays(today, -30, cal)}T10:00:00+08:00`,
      assignee_id: t.tenantA.userIds.admin,
    });
    expect(late.clock.status).toBe('overdue');

    catcher.mails.length = 0;
    await t.server.platform.jobs.send('sovereignty.case-clocks', {});
    const mailSoon = await catcher.waitFor('admin@acme.test', (m) => m.subject.includes('陈小春'));
    expect(mailSoon.subject).toContain('即将到期');
    expect(mailSoon.text).toContain('还剩 2 个工作日');
    expect(mailSoon.text).toContain(`/privacy/cases/${soon.id}`);
    const mailLate = await catcher.waitFor('admin@acme.test', (m) => m.subject.includes('林青霞'));
    expect(mailLate.subject).toContain('已逾期');
    // No other tenant's manager hears about it.
    expect(catcher.mails.some((m) => m.to.includes('globex'))).toBe(false);

    const dueSoon = await eventsNamed('privacy_cases.due_soon');
    expect(dueSoon.some((p) => (p.case as { id: string }).id === soon.id && p.level === 'soon')).toBe(true);
    const overdueEv = await eventsNamed('privacy_cases.overdue');
    expect(overdueEv.some((p) => (p.case as { id: string }).id === late.id)).toBe(true);
    const got = await t.request('GET', `/api/v1/privacy/cases/${soon.id}`, { token: admin() });
    expect(got.json().history.at(-1)).toMatchObject({
      kind: 'warning',
      data: { level: 'soon', mailed: true, mailed_to: ['admin@acme.test'] },
    });

    // Running again sends nothing new for the same level and due date.
    const count = catcher.mails.length;
    await t.server.platform.jobs.send('sovereignty.case-clocks', {});
    await new Promise((r) => setTimeout(r, 200));
    expect(catcher.mails.length).toBe(count);

    // On the day: a second warning.
    await t.server.platform.jobs.send('sovereignty.case-clocks', {
      now: new Date(soon.clock.due_at).toISOString(),
    });
    const onTheDay = await catcher.waitFor('admin@acme.test', (m) => m.text.includes('今天到期'));
    expect(onTheDay.subject).toContain('陈小春');
  });
});

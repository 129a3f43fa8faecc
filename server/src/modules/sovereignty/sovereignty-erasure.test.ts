import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { openTestDatabase } from '../../../test/test-database.js';
import { type ActorContext, systemContext } from '../../platform/auth/auth-context.js';
import { openDatabase } from '../../platform/db/database.js';
import { ensureTenant } from '../../platform/tenancy/tenant.service.js';
import { contactService } from '../crm/crm.service.js';
import { assertNotErased, erasedRowCheck } from '../crm/crm-erasure-guard.js';
import { webhookDispatcher } from '../webhooks/webhooks.dispatcher.js';
import {
  type ErasureReport,
  isErasedIdentity,
  liftErasureBlock,
  replayLedger,
  runErasure,
  SHARED_NAME_REASON,
} from './sovereignty-erasure.service.js';
import {
  appendLedgerFile,
  hashesOf,
  ledgerFile,
  readLedgerFile,
  readLedgerLifts,
} from './sovereignty-erasure-ledger.js';

/**
 * Erasure that really erases (issue 13 item 5): a person seeded everywhere through the real APIs
 * is erased; then every text, json and array column of every table is scanned for their e-mail,
 * phone and name. Restoring an earlier "backup" of the tables and replaying the ledger erases them
 * again; their e-mail stays blocked until a privacy manager lifts it.
 */

const EMAIL = 'xiaowen.lin@atl-battery.com';
const PHONE = '13800138000';
const NAME = '林晓雯';
const NAME_EN = 'Xiaowen Lin';
/** A duplicate record of theirs (merged into the contact): a private address and a second phone. */
const EMAIL2 = 'lxw.private@qq.com';
const PHONE2 = '13900001111';

let t: TestServer;
let dataDir: string;
let receiver: Server;
let receiverUrl = '';
const received: { body: string }[] = [];
let accountId = '';
let contactId = '';
let otherContactId = '';
let wonOppId = '';

const admin = () => t.tenantA.tokens.admin;
const post = async (url: string, body: unknown, token = admin()) => {
  const res = await t.request('POST', url, { token, body });
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
};
async function settle() {
  await t.settle();
  await webhookDispatcher(t.server.platform).settle();
  await t.settle();
}

function adminCtx(): ActorContext {
  return {
    tenantId: t.tenantA.id,
    actorType: 'user',
    actorId: t.tenantA.userIds.admin,
    actorName: 'admin acme',
    role: 'admin',
    permissions: new Set(['privacy:manage', 'crm:read']),
    source: 'ui',
  };
}

/** Every (table, column) of the public schema whose value can hold text: text, varchar, json(b), arrays. */
async function textColumns(): Promise<{ table: string; column: string }[]> {
  const { rows } = await t.server.platform.database.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name
       from information_schema.columns c
       join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
      where c.table_schema = 'public' and tb.table_type = 'BASE TABLE'
        and (c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'))
      order by 1, 2`,
  );
  return rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** The (table.column → rows) where any identifier of the person appears. */
async function scan(): Promise<Record<string, number>> {
  const needles = [EMAIL, PHONE, '138-0013-8000', NAME, NAME_EN, EMAIL2, PHONE2];
  const patterns = `array[${needles.map((n) => `'%${n}%'`).join(', ')}]`;
  const hits: Record<string, number> = {};
  for (const { table, column } of await textColumns()) {
    const { rows } = await t.server.platform.database.query<{ n: number }>(
      `select count(*)::int as n from "${table}" where "${column}"::text ilike any(${patterns})`,
    );
    if (Number(rows[0].n) > 0) hits[`${table}.${column}`] = Number(rows[0].n);
  }
  return hits;
}

/** A "backup" of the tables an erasure changes: their rows, as JSON. */
const BACKUP_TABLES = [
  'privacy_salts',
  'privacy_erasure_ledger',
  'privacy_erasures',
  'privacy_erasure_receipts',
  'contacts',
  'activities',
  'signals',
  'interventions',
  'contact_scores',
  'change_log',
];
async function backup(): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (const table of BACKUP_TABLES) {
    const { rows } = await t.server.platform.database.query<{ r: unknown }>(
      `select row_to_json(x) as r from "${table}" x`,
    );
    out.set(
      table,
      rows.map((r) => r.r),
    );
  }
  return out;
}
async function restore(snapshot: Map<string, unknown[]>): Promise<void> {
  const db = t.server.platform.database;
  for (const table of [...BACKUP_TABLES].reverse()) await db.query(`delete from "${table}" where true`, []);
  for (const table of BACKUP_TABLES) {
    const rows = snapshot.get(table) ?? [];
    if (rows.length)
      await db.query(
        `insert into "${table}" select * from json_populate_recordset(null::"${table}", $1::json)`,
        [JSON.stringify(rows)],
      );
  }
  t.server.platform.caches.clear();
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/down') {
        res.writeHead(503).end('down for maintenance');
        return;
      }
      received.push({ body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  dataDir = mkdtempSync(join(tmpdir(), 'zhongshu-erasure-'));
  t = await startTestServer({
    dataDir,
    outbound: { allow: ['127.0.0.1'] },
    webhooks: { retryScale: 0.000001 },
  });
  await settle();

  // A connected system that receives contact changes and the erasure notice.
  await post('/api/v1/webhooks/endpoints', {
    url: receiverUrl,
    event_types: ['contacts.*', 'activities.*', 'privacy.erasure_requested'],
  });
  // A second connected system that is down: its receipt shows the retries and the failure.
  await post('/api/v1/webhooks/endpoints', {
    url: receiverUrl.replace('/hooks', '/down'),
    event_types: ['privacy.erasure_requested'],
  });

  const account = await post('/api/v1/accounts', { name: '宁德新能源科技', domains: ['atl-battery.com'] });
  accountId = account.id;
  const contact = await post('/api/v1/contacts', {
    name: NAME,
    name_en: NAME_EN,
    emails: [EMAIL],
    phones: [PHONE],
    title: '采购经理',
    department: '采购部',
    account_id: accountId,
    committee_role: 'procurement',
    stance: 'supporter',
    preferences: ['prefers WeChat'],
  });
  contactId = contact.id;
  // Their duplicate (imported from a trade fair list) merged into the record.
  const dup = await post('/api/v1/contacts', {
    name: NAME,
    emails: [EMAIL2],
    phones: [PHONE2],
    account_id: accountId,
  });
  await post('/api/v1/contacts/merge', { survivor_id: contactId, merged_id: dup.id });
  // A second change, so the profile's lineage has history (typed by the CSM).
  const upd = await t.request('PATCH', `/api/v1/contacts/${contactId}`, {
    token: t.tenantA.tokens.csm,
    body: { title: '采购总监' },
  });
  expect(upd.statusCode, upd.body).toBeLessThan(300);
  const other = await post('/api/v1/contacts', {
    name: '周建国',
    emails: ['jianguo.zhou@atl-battery.com'],
    account_id: accountId,
  });
  otherContactId = other.id;
  const won = await post('/api/v1/opportunities', {
    name: '宁德新能源 储能项目',
    account_id: accountId,
    amount: 1_200_000,
    stage: 'won',
    expected_close_date: '2026-11-30',
  });
  wonOppId = won.id;

  // Activities: theirs alone (deleted), on the won deal (kept, anonymised), others' naming them (anonymised).
  await post('/api/v1/activities', {
    type: 'call',
    subject: `电话回访 ${NAME}`,
    body: `与${NAME}通话，手机 ${PHONE}，邮箱 ${EMAIL}`,
    occurred_at: '2026-11-20T02:00:00Z',
    account_id: accountId,
    contact_ids: [contactId],
    participants: [NAME],
  });
  await post('/api/v1/activities', {
    type: 'meeting',
    subject: '合同签署会议',
    body: `${NAME} 代表客户签署合同`,
    occurred_at: '2026-11-25T02:00:00Z',
    account_id: accountId,
    opportunity_id: wonOppId,
    contact_ids: [contactId, otherContactId],
  });
  await post('/api/v1/activities', {
    type: 'note',
    subject: '周建国拜访纪要',
    body: `周建国提到 ${NAME_EN} 下月调岗`,
    occurred_at: '2026-11-26T02:00:00Z',
    account_id: accountId,
    contact_ids: [otherContactId],
  });

  // Signals: one about them (resolved by e-mail), one naming them (a champion left → an intervention).
  await post('/api/v1/signals', [
    {
      type: 'website_visit',
      source: 'web-analytics',
      occurred_at: new Date().toISOString(),
      subject: { email: EMAIL, domain: 'atl-battery.com' },
      payload: { url: 'https://example.com/pricing', visits: 3, visitor: EMAIL },
    },
    {
      type: 'job_change',
      source: 'hr-feed',
      occurred_at: new Date().toISOString(),
      subject: { domain: 'atl-battery.com' },
      payload: { person: NAME, old_title: '采购总监', new_company: '比亚迪', left_company: true },
    },
  ]);

  // A payload captured from an inbound webhook source (the mapping editor's sample).
  const src = await post('/api/v1/signal-sources', { key: 'crm-x', name: 'CRM X', kind: 'webhook' });
  const payload = JSON.stringify({ lead: { name: NAME, email: EMAIL, phone: PHONE } });
  const stamp = new Date();
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/sources/${src.id}/webhook`,
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'msg_erasure_1',
      'webhook-timestamp': String(Math.floor(stamp.getTime() / 1000)),
      'webhook-signature': new Webhook(src.webhook_secret).sign('msg_erasure_1', stamp, payload),
    },
    payload,
  });
  await settle();
}, 180_000);

afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('see everything held about a person', () => {
  it('collects every module’s data with lineage (staff with privacy:manage, own tenant only)', async () => {
    const res = await t.request('GET', `/api/v1/privacy/subjects/${contactId}/data`, { token: admin() });
    expect(res.statusCode, res.body).toBe(200);
    const sections = res.json().sections as {
      module: string;
      kind: string;
      total: number;
      records: {
        fields: { key: string; value: unknown; lineage: { method: string; actorName?: string }[] }[];
      }[];
    }[];
    const byKind = new Map(sections.map((s) => [`${s.module}.${s.kind}`, s]));
    const profile = byKind.get('crm.profile');
    const title = profile?.records[0].fields.find((f) => f.key === 'title');
    expect(title?.value).toBe('采购总监');
    expect(title?.lineage[0]).toMatchObject({ method: 'manual', actorName: 'csm acme' });
    // Linked to the contact only: the note that merely names them is not theirs to see (review 13 item 1).
    expect(byKind.get('crm.activities')?.total).toBe(2);
    expect(byKind.get('crm.merges')?.total).toBe(1);
    expect(byKind.get('signals.signals')?.total).toBeGreaterThanOrEqual(1);
    // The intervention only names them (no e-mail, not linked): staff-only, not collected any more.
    expect(byKind.get('predict.predictions')?.total).toBe(1);
    expect(byKind.get('webhooks.webhook_messages')?.total).toBeGreaterThanOrEqual(1);
    expect(byKind.get('mappings.captured_payloads')?.total).toBeGreaterThanOrEqual(1);

    expect(
      (await t.request('GET', `/api/v1/privacy/subjects/${contactId}/data`, { token: t.tenantA.tokens.rep }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await t.request('GET', `/api/v1/privacy/subjects/${contactId}/data`, {
          token: t.tenantB.tokens.admin,
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('erasure', () => {
  let report: ErasureReport;
  let snapshot: Map<string, unknown[]>;

  it('finds the person everywhere before (the scan works)', async () => {
    const hits = await scan();
    for (const col of [
      'contacts.emails',
      'activities.body',
      'signals.payload',
      'interventions.title',
      'change_log.changes',
      'domain_events.payload',
      'webhook_messages.payload',
      'mapping_source_samples.payload',
      'crm_merges.merged_record',
    ])
      expect(hits[col], col).toBeGreaterThan(0);
  });

  it('writes the ledger first, erases every module, and leaves nothing but anonymised tombstones', async () => {
    // An export exists (a derived copy the erasure must delete).
    const ex = await post(`/api/v1/privacy/subjects/${contactId}/exports`, {});
    expect(ex.status).toBe('done');
    expect(readdirSync(join(dataDir, 'exports'))).toContain(`${ex.id}.zip`);
    snapshot = await backup();

    report = await t.server.platform.database.tenantTx(t.tenantA.id, (tx) =>
      runErasure(t.server.platform, tx, adminCtx(), { caseId: null, contactId }),
    );
    expect(report.status).toBe('done');
    const ledger = readLedgerFile(ledgerFile({ dataDir }));
    expect(ledger).toHaveLength(1);
    expect(JSON.stringify(ledger)).not.toContain(EMAIL);
    expect(ledger[0].email_hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    // No name hashes (brute-forceable); the merged duplicate's id, so a replay erases it too.
    expect(ledger[0].name_hashes).toEqual([]);
    expect(ledger[0].also_ids).toHaveLength(1);

    await settle();
    const hits = await scan();
    expect(hits, JSON.stringify(hits)).toEqual({});
    expect(existsSync(join(dataDir, 'exports', `${ex.id}.zip`))).toBe(false);

    // What stayed, and why: the won deal's contract meeting keeps a placeholder.
    const meeting = (
      await t.request('GET', `/api/v1/activities?opportunity_id=${wonOppId}`, { token: admin() })
    ).json().data[0];
    expect(meeting.body).toBe('已删除的联系人 代表客户签署合同');
    expect(meeting.contact_ids).toEqual([otherContactId]);
    expect((await t.request('GET', `/api/v1/contacts/${contactId}`, { token: admin() })).statusCode).toBe(
      404,
    );
  });

  it('ends with a proof report and a receipt from each connected system', async () => {
    const res = await t.request('GET', `/api/v1/privacy/erasures/${report.id}`, { token: admin() });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as ErasureReport;
    const find = (table: string, action: string) =>
      r.outcomes.find((o) => o.table === table && o.action === action)?.rows ?? 0;
    expect(find('contacts', 'deleted')).toBe(1);
    expect(find('activities', 'deleted')).toBe(1);
    expect(r.outcomes.find((o) => o.module === 'crm' && o.table === 'change_log')?.rows).toBe(1);
    expect(find('activities', 'retained')).toBe(1);
    expect(find('contact_scores', 'deleted')).toBe(1);
    expect(find('signals', 'deleted')).toBeGreaterThanOrEqual(1);
    expect(find('privacy_exports', 'deleted')).toBe(1);
    expect(r.tombstones.find((o) => o.table === 'activities' && o.action === 'retained')?.reason).toMatch(
      /won opportunity/,
    );
    expect(r.derived.map((d) => d.what)).toEqual(['search keys', 'caches', 'generated exports', 'log lines']);
    expect(r.propagation.receipts).toHaveLength(2);
    const byUrl = new Map(r.propagation.receipts.map((x) => [x.system_label, x]));
    expect(byUrl.get(receiverUrl)).toMatchObject({ system_kind: 'webhook', state: 'confirmed', attempts: 1 });
    // The system that is down: retried on the webhook schedule (shrunk here) until it gives up.
    let down = byUrl.get(receiverUrl.replace('/hooks', '/down'));
    for (let i = 0; i < 50 && down?.state === 'pending'; i++) {
      await new Promise((done) => setTimeout(done, 200));
      await webhookDispatcher(t.server.platform).settle();
      const again = (
        await t.request('GET', `/api/v1/privacy/erasures/${report.id}`, { token: admin() })
      ).json();
      down = (again as ErasureReport).propagation.receipts.find((x) => x.system_label.endsWith('/down'));
    }
    expect(down?.state).toBe('failed');
    expect(down?.attempts).toBeGreaterThan(1);
    expect(down?.last_error).toMatch(/503/);
    const notice = received
      .map((x) => JSON.parse(x.body))
      .find((b) => b.type === 'privacy.erasure_requested');
    expect(notice.data).toMatchObject({ erasure_id: report.id, contact_id: contactId });
    expect(JSON.stringify(notice)).not.toContain(EMAIL);
    expect(
      (await t.request('GET', `/api/v1/privacy/erasures/${report.id}`, { token: t.tenantB.tokens.admin }))
        .statusCode,
    ).toBe(404);
  });

  it('blocks the e-mail from coming back until a privacy manager lifts it', async () => {
    const blocked = await t.server.platform.database.tenantTx(t.tenantA.id, (tx) =>
      isErasedIdentity(tx, t.tenantA.id, ` ${EMAIL.toUpperCase()} `),
    );
    expect(blocked).toBe(true);
    await expect(
      t.server.platform.database.tenantTx(t.tenantA.id, (tx) => assertNotErased(tx, adminCtx(), [EMAIL])),
    ).rejects.toMatchObject({ status: 422 });
    // A file import checks every row in memory.
    const rowCheck = await t.server.platform.database.tenantTx(t.tenantA.id, (tx) =>
      erasedRowCheck(tx, t.tenantA.id),
    );
    expect(rowCheck({ emails: ['Xiaowen.Lin@ATL-battery.com'] })).toEqual([
      { field: 'emails', reason: 'belongs to an erased person' },
    ]);
    expect(rowCheck({ emails: ['someone.else@atl-battery.com'] })).toEqual([]);
    const check = await t.request('POST', '/api/v1/privacy/erasure-blocks/check', {
      token: admin(),
      body: { email: EMAIL },
    });
    expect(check.json()).toEqual({ blocked: true });
    // Tenant B never erased them.
    const otherTenant = await t.request('POST', '/api/v1/privacy/erasure-blocks/check', {
      token: t.tenantB.tokens.admin,
      body: { email: EMAIL },
    });
    expect(otherTenant.json()).toEqual({ blocked: false });
  });

  it('restoring an earlier backup and replaying the ledger brings nobody back', async () => {
    await restore(snapshot);
    expect((await t.request('GET', `/api/v1/contacts/${contactId}`, { token: admin() })).statusCode).toBe(
      200,
    );
    expect(Object.keys(await scan()).length).toBeGreaterThan(0);

    const result = await replayLedger(t.server.platform);
    expect(result).toMatchObject({ entries: 1, restored_entries: 1, contacts_erased: 1 });
    await settle();
    expect((await t.request('GET', `/api/v1/contacts/${contactId}`, { token: admin() })).statusCode).toBe(
      404,
    );
    const hits = await scan();
    expect(hits, JSON.stringify(hits)).toEqual({});
  });

  it('lets the person return once the block is lifted, and a replay leaves the new record alone', async () => {
    const lift = await t.request('POST', '/api/v1/privacy/erasure-blocks/lift', {
      token: admin(),
      body: { email: EMAIL, reason: '本人重新成为客户联系人' },
    });
    expect(lift.statusCode, lift.body).toBe(200);
    await t.server.platform.database.tenantTx(t.tenantA.id, (tx) => assertNotErased(tx, adminCtx(), [EMAIL]));
    const back = await post('/api/v1/contacts', { name: NAME, emails: [EMAIL], account_id: accountId });
    const result = await replayLedger(t.server.platform);
    expect(result.contacts_erased).toBe(0);
    expect((await t.request('GET', `/api/v1/contacts/${back.id}`, { token: admin() })).statusCode).toBe(200);
  });
});

describe('erasure leaves other people alone', () => {
  const erase = (id: string) =>
    t.server.platform.database.tenantTx(t.tenantA.id, (tx) =>
      runErasure(t.server.platform, tx, adminCtx(), { caseId: null, contactId: id }),
    );
  const activity = async (id: string) =>
    (await t.request('GET', `/api/v1/activities/${id}`, { token: admin() })).json();
  const file = () => ledgerFile({ dataDir });

  it('redacts whole Latin words and all phone forms, and keeps a longer name of another contact', async () => {
    const wang = await post('/api/v1/contacts', {
      name: '王芳',
      name_en: 'Li',
      emails: ['wang.fang@lx-tech.cn'],
      phones: ['+86 139 1234 5678'],
    });
    const longer = await post('/api/v1/contacts', { name: '王芳芳', emails: ['wff@lx-tech.cn'] });
    const note = await post('/api/v1/activities', {
      type: 'note',
      subject: '王芳芳跟进',
      body: '王芳芳说预算已批；王芳没回电话，请拨139-1234-5678或13912345678。Client asked about Linux; Li will call.',
      occurred_at: '2026-11-27T02:00:00Z',
      contact_ids: [longer.id],
    });
    await erase(wang.id);
    const a = await activity(note.id);
    expect(a.subject).toBe('王芳芳跟进');
    expect(a.body).toBe(
      '王芳芳说预算已批；已删除的联系人没回电话，请拨已删除的联系人或已删除的联系人。Client asked about Linux; 已删除的联系人 will call.',
    );
    const c = await t.request('GET', `/api/v1/contacts/${longer.id}`, { token: admin() });
    expect(c.json().name).toBe('王芳芳');
  });

  it('leaves the mentions of a namesake, redacts the person’s own rows and lists it in the proof report', async () => {
    const one = await post('/api/v1/contacts', { name: '陈杰', emails: ['chen.jie1@lx-tech.cn'] });
    const two = await post('/api/v1/contacts', { name: '陈杰', emails: ['chen.jie2@lx-tech.cn'] });
    const meeting = await post('/api/v1/activities', {
      type: 'meeting',
      subject: '需求确认',
      body: '陈杰确认了需求',
      occurred_at: '2026-11-27T03:00:00Z',
      contact_ids: [one.id, otherContactId],
    });
    const namesake = await post('/api/v1/activities', {
      type: 'note',
      subject: '招标',
      body: '陈杰负责招标',
      occurred_at: '2026-11-27T04:00:00Z',
      contact_ids: [two.id],
    });
    const report = await erase(one.id);
    expect(report.tombstones).toContainEqual(
      expect.objectContaining({ action: 'retained', reason: SHARED_NAME_REASON }),
    );
    expect((await activity(namesake.id)).body).toBe('陈杰负责招标');
    expect((await activity(meeting.id)).body).toBe('已删除的联系人确认了需求');
    expect((await t.request('GET', `/api/v1/contacts/${two.id}`, { token: admin() })).json().name).toBe(
      '陈杰',
    );
  });

  it('a rolled-back erasure leaves no ledger line', async () => {
    const c = await post('/api/v1/contacts', { name: '孙悦', emails: ['sun.yue@lx-tech.cn'] });
    const before = readLedgerFile(file()).length;
    await expect(
      t.server.platform.database.tenantTx(t.tenantA.id, async (tx) => {
        await runErasure(t.server.platform, tx, adminCtx(), { caseId: null, contactId: c.id });
        throw new Error('a provider failed');
      }),
    ).rejects.toThrow('a provider failed');
    expect(readLedgerFile(file())).toHaveLength(before);
    expect((await t.request('GET', `/api/v1/contacts/${c.id}`, { token: admin() })).statusCode).toBe(200);
    const replay = await replayLedger(t.server.platform);
    expect(replay.contacts_erased).toBe(0);
    expect((await t.request('GET', `/api/v1/contacts/${c.id}`, { token: admin() })).statusCode).toBe(200);
  });

  it('replay erases by record id only: a contact sharing the mailbox and switchboard stays', async () => {
    const gone = await post('/api/v1/contacts', {
      name: '前台甲',
      emails: ['info@shared-desk.cn'],
      phones: ['010-88886666'],
    });
    const stays = await post('/api/v1/contacts', {
      name: '前台乙',
      emails: ['info@shared-desk.cn'],
      phones: ['010-88886666'],
    });
    await erase(gone.id);
    const replay = await replayLedger(t.server.platform);
    expect(replay.contacts_erased).toBe(0);
    expect((await t.request('GET', `/api/v1/contacts/${stays.id}`, { token: admin() })).statusCode).toBe(200);
  });

  it('a lifted block is written to the ledger file and a replay after a restore keeps it lifted', async () => {
    const address = 'returns.later@lx-tech.cn';
    const c = await post('/api/v1/contacts', { name: '赵可', emails: [address] });
    await erase(c.id);
    const blocked = () =>
      t.server.platform.database.tenantTx(t.tenantA.id, (tx) => isErasedIdentity(tx, t.tenantA.id, address));
    expect(await blocked()).toBe(true);
    await t.server.platform.database.tenantTx(t.tenantA.id, (tx) =>
      liftErasureBlock(tx, adminCtx(), { email: address, reason: '本人重新成为客户' }, { file: file() }),
    );
    expect(await blocked()).toBe(false);
    expect(readLedgerLifts(file()).some((l) => l.lifted_reason === '本人重新成为客户')).toBe(true);
    // The "restore": a backup from before the lift.
    await t.server.platform.database.query(
      'update privacy_erasure_ledger set lifted_at = null, lifted_by = null, lifted_reason = null',
    );
    expect(await blocked()).toBe(true);
    await replayLedger(t.server.platform);
    expect(await blocked()).toBe(false);
  });
});

describe('zhongshu privacy:replay-ledger', () => {
  it('re-applies the ledger file to a restored database in its own process', {
    timeout: 180_000,
  }, async () => {
    const tdb = await openTestDatabase();
    const work = mkdtempSync(join(tmpdir(), 'zhongshu-replay-cli-'));
    const dir = tdb.dataDir ?? join(work, 'data');
    try {
      const { tenant } = await ensureTenant(tdb.database, 'restored-co');
      const ctx = systemContext(tenant.id, 'import:csv');
      // The "restored backup": the person is back in the database, the ledger file outlived the restore.
      const c = await tdb.database.tenantTx(tenant.id, (tx) =>
        contactService.create(tx, ctx, { name: NAME, emails: [EMAIL], phones: [PHONE] }),
      );
      const salt = 'f'.repeat(64);
      const recordId = String((c as { id: unknown }).id);
      appendLedgerFile(ledgerFile({ dataDir: dir }), {
        id: randomUUID(),
        tenant_id: tenant.id,
        erasure_id: randomUUID(),
        case_id: null,
        contact_id: recordId, // replay erases by the record's id (hashes only block re-creation)
        salt,
        ...hashesOf(salt, { emails: [EMAIL], phones: [PHONE] }),
        created_at: new Date(Date.now() + 60_000).toISOString(),
      });
      await tdb.database.close();
      const r = spawnSync(
        process.execPath,
        [join(import.meta.dirname, '..', '..', '..', 'bin', 'zhongshu.mjs'), 'privacy:replay-ledger'],
        {
          env: { ...process.env, DATABASE_URL: tdb.url ?? '', ZHONGSHU_DATA_DIR: dir, LOG_LEVEL: 'silent' },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('ledger entries: 1 (1 put back into the table); contacts erased again: 1');
      const db = await openDatabase({
        databaseUrl: tdb.url,
        dataDir: tdb.url ? undefined : dir,
        poolSize: 2,
      });
      try {
        const { rows } = await db.query<{ n: number }>(
          'select count(*)::int as n from contacts where id = $1',
          [c.id],
        );
        expect(Number(rows[0].n)).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      await tdb.cleanup();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import type { ActorContext } from '../../platform/auth/auth-context.js';
import { csvCell, purgeExpiredExports, startExport } from './sovereignty-export.service.js';

/**
 * Export of everything held about a person (issue 13 item 3): a job with progress, a zip on disk
 * with one JSON file and one CSV per section, downloadable by staff with privacy:manage (and by the
 * person through the portal's context), expired after 7 days.
 */

let t: TestServer;
let dataDir: string;
let contactId = '';
let otherId = '';
const admin = () => t.tenantA.tokens.admin;

async function post(url: string, body: unknown) {
  const res = await t.request('POST', url, { token: admin(), body });
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

const customer = (id: string): ActorContext => ({
  tenantId: t.tenantA.id,
  actorType: 'customer',
  actorId: id,
  actorName: '韩梅梅',
  role: 'rep',
  permissions: new Set(),
  source: 'portal',
});

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'zhongshu-export-'));
  t = await startTestServer({ dataDir });
  const account = await post('/api/v1/accounts', { name: '华星光电', domains: ['csot.example'] });
  const c = await post('/api/v1/contacts', {
    name: '韩梅梅',
    emails: ['meimei.han@csot.example'],
    phones: ['13912345678'],
    title: '技术总监',
    account_id: account.id,
  });
  contactId = c.id;
  otherId = (await post('/api/v1/contacts', { name: '李雷', account_id: account.id })).id;
  for (let i = 0; i < 3; i++)
    await post('/api/v1/activities', {
      type: 'meeting',
      subject: `技术交流 ${i + 1}`,
      body: '讨论产线改造, "引号", 逗号',
      occurred_at: `2026-11-2${i}T02:00:00Z`,
      account_id: account.id,
      contact_ids: [contactId],
    });
  await t.settle();
}, 120_000);

afterAll(async () => {
  await t?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('personal-data export', () => {
  let exportId = '';

  it('runs as a job with progress and writes a zip of JSON and one CSV per section', async () => {
    const res = await t.request('POST', `/api/v1/privacy/subjects/${contactId}/exports`, { token: admin() });
    expect(res.statusCode, res.body).toBe(202);
    exportId = res.json().id;
    // No worker runs in tests: the queue ran the job in the call.
    const status = await t.request('GET', `/api/v1/privacy/subjects/${contactId}/exports/${exportId}`, {
      token: admin(),
    });
    expect(status.json()).toMatchObject({ status: 'done', contact_id: contactId });
    const { progress } = status.json();
    expect(progress.done).toBe(progress.total);
    expect(progress.total).toBeGreaterThanOrEqual(6);

    const file = await t.request('GET', `/api/v1/privacy/subjects/${contactId}/exports/${exportId}/file`, {
      token: admin(),
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/zip');
    expect(String(file.headers['content-disposition'])).toMatch(/^attachment; filename="personal-data-/);
    const files = unzipSync(new Uint8Array(file.rawPayload));
    const doc = JSON.parse(strFromU8(files['personal-data.json']));
    const profile = doc.sections.find((s: { kind: string }) => s.kind === 'profile');
    const emails = profile.records[0].fields.find((f: { key: string }) => f.key === 'emails');
    expect(emails.value).toEqual(['meimei.han@csot.example']);
    expect(emails.lineage[0]).toMatchObject({ method: 'manual', source: 'api' });
    const acts = doc.sections.find((s: { kind: string }) => s.kind === 'activities');
    expect(acts.total).toBe(3);

    // A UTF-8 byte-order mark first, so spreadsheet programs read the Chinese text right.
    expect([...files['csv/crm-activities.csv'].slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = strFromU8(files['csv/crm-activities.csv']).replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'record_id,record_title,record_at,field,label_en,label_zh,value,source_method,source,source_actor,source_at,source_words_en,source_words_zh',
    );
    expect(csv).toContain('"讨论产线改造, ""引号"", 逗号"');
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['README.txt', 'csv/crm-profile.csv']));
  });

  it('is staff-only (privacy:manage), per tenant, and the person may export only themselves', async () => {
    expect(
      (
        await t.request('POST', `/api/v1/privacy/subjects/${contactId}/exports`, {
          token: t.tenantA.tokens.rep,
        })
      ).statusCode,
    ).toBe(403);
    const b = t.tenantB.tokens.admin;
    expect(
      (await t.request('POST', `/api/v1/privacy/subjects/${contactId}/exports`, { token: b })).statusCode,
    ).toBe(404);
    expect(
      (await t.request('GET', `/api/v1/privacy/subjects/${contactId}/exports/${exportId}/file`, { token: b }))
        .statusCode,
    ).toBe(404);
    // Another contact's path does not open this export.
    expect(
      (await t.request('GET', `/api/v1/privacy/subjects/${otherId}/exports/${exportId}`, { token: admin() }))
        .statusCode,
    ).toBe(404);

    const own = await startExport(t.server.platform, customer(contactId), contactId);
    expect(own.status).toBe('done');
    await expect(startExport(t.server.platform, customer(contactId), otherId)).rejects.toMatchObject({
      status: 404,
    });
  });

  it('answers 409 while not ready, and deletes exports after 7 days', async () => {
    const db = t.server.platform.database;
    await db.query(`update privacy_exports set status = 'running' where id = $1`, [exportId]);
    const notReady = await t.request(
      'GET',
      `/api/v1/privacy/subjects/${contactId}/exports/${exportId}/file`,
      {
        token: admin(),
        headers: { 'accept-language': 'zh-CN' },
      },
    );
    expect(notReady.statusCode).toBe(409);
    await db.query(
      `update privacy_exports set status = 'done', expires_at = now() - interval '1 minute' where id = $1`,
      [exportId],
    );
    expect(existsSync(join(dataDir, 'exports', `${exportId}.zip`))).toBe(true);
    expect(await purgeExpiredExports(t.server.platform)).toBe(1);
    expect(existsSync(join(dataDir, 'exports', `${exportId}.zip`))).toBe(false);
    expect(
      (
        await t.request('GET', `/api/v1/privacy/subjects/${contactId}/exports/${exportId}`, {
          token: admin(),
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('the privacy subject routes in OpenAPI', () => {
  it('lists every route of the erasure part with its tag and summary', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json();
    const wanted: [string, string][] = [
      ['/api/v1/privacy/subjects/{contactId}/data', 'get'],
      ['/api/v1/privacy/subjects/{contactId}/exports', 'post'],
      ['/api/v1/privacy/subjects/{contactId}/exports/{exportId}', 'get'],
      ['/api/v1/privacy/subjects/{contactId}/exports/{exportId}/file', 'get'],
      ['/api/v1/privacy/erasures', 'get'],
      ['/api/v1/privacy/erasures/{id}', 'get'],
      ['/api/v1/privacy/erasure-blocks/check', 'post'],
      ['/api/v1/privacy/erasure-blocks/lift', 'post'],
    ];
    for (const [path, method] of wanted) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.tags).toEqual(['Privacy']);
      expect(op.summary.length).toBeGreaterThan(10);
    }
  });
});

describe('export CSV cells (review item 12)', () => {
  it('a text a spreadsheet would run as a formula is written as text', () => {
    expect(csvCell('=HYPERLINK("http://evil.test","点我")')).toBe(
      `"'=HYPERLINK(""http://evil.test"",""点我"")"`,
    );
    expect(csvCell('+86 139 1234 5678')).toBe("'+86 139 1234 5678");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('技术交流 1')).toBe('技术交流 1');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(null)).toBe('');
  });
});

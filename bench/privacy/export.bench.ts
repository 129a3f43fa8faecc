/**
 * Export of everything held about one contact (issue 13, benchmark): a contact with N activities
 * and N signals (default 10,000 each; activities with a change-log "create" row each, all by bulk
 * SQL) in a tenant with other people's data. Measured: the export job (every module's collect,
 * zip of JSON + one CSV per section written to disk) and the staff "see everything" read
 * (GET /privacy/subjects/:id/data, 200 records per section).
 *
 *   npx tsx bench/privacy/export.bench.ts                    (PGlite)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/privacy/export.bench.ts
 *
 * Env: BENCH_RECORDS (default 10000), BENCH_NO_APPEND=1 (print only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contactService } from '../../server/src/modules/crm/crm.service.js';
import { startExport } from '../../server/src/modules/sovereignty/sovereignty-export.service.js';
import { type ActorContext, systemContext } from '../../server/src/platform/auth/auth-context.js';
import { startTestServer } from '../../server/test/harness.js';
import { dropTemplate, prepareTemplate } from '../../server/test/test-database.js';
import { appendSection, markdownTable } from '../crm/lib.js';

const N = Number(process.env.BENCH_RECORDS ?? 10_000);
const OTHERS = 5 * N;
const dbName = process.env.DATABASE_URL ? 'postgres' : 'pglite';

await prepareTemplate();
const dataDir = mkdtempSync(join(tmpdir(), 'zhongshu-export-bench-'));
const t = await startTestServer({ dataDir });
const db = t.server.platform.database;
const tenantId = t.tenantA.id;
const q = (text: string, params: unknown[] = []) => db.query(text, params);

const { rows: acc } = await db.query<{ id: string }>(
  `insert into accounts (tenant_id, name, domains) values ($1, '宁德新能源科技', array['atl-battery.com']) returning id`,
  [tenantId],
);
const accountId = acc[0].id;
const contactId = await db.tenantTx(tenantId, async (tx) => {
  const c = await contactService.create(tx, systemContext(tenantId, 'ui', 'CSM 王芳'), {
    name: '林晓雯',
    emails: ['xiaowen.lin@atl-battery.com'],
    phones: ['13800138000'],
    account_id: accountId,
  });
  return String(c.id);
});
const { rows: other } = await db.query<{ id: string }>(
  `insert into contacts (tenant_id, name, account_id) values ($1, '周建国', $2) returning id`,
  [tenantId, accountId],
);
let t0 = performance.now();
// The person's activities and signals, and as many of someone else's (which the export must skip).
for (const [who, n] of [
  [contactId, N],
  [other[0].id, OTHERS],
] as const) {
  await q(
    `with ins as (
       insert into activities (tenant_id, type, subject, body, occurred_at, account_id, contact_ids, participants)
       select $1, 'meeting', '技术交流 #' || g, '讨论电池包方案，客户关注交付周期与售后响应。',
              now() - (g % 700) * interval '1 hour', $2, array[$3::uuid], array['客户代表']
       from generate_series(1, $4::int) g returning id)
     insert into change_log (tenant_id, entity, entity_id, action, changes, actor_type, actor_name, source, method)
     select $1, 'activities', id, 'create', '{"type": {"old": null, "new": "meeting"}}'::jsonb, 'user', 'CSM 王芳', 'ui', 'manual'
     from ins`,
    [tenantId, accountId, who, n],
  );
  await q(
    `insert into signals (tenant_id, type, source, occurred_at, subject, payload, provenance, account_id, contact_id, matched)
     select $1, 'website_visit', 'web-analytics', now() - (g % 90) * interval '1 day', '{"domain": "atl-battery.com"}'::jsonb,
            jsonb_build_object('url', 'https://example.cn/pricing', 'visits', g % 9), '{"method": "api"}'::jsonb, $2, $3, true
     from generate_series(1, $4::int) g`,
    [tenantId, accountId, who, n],
  );
}
if (db.kind === 'postgres')
  for (const tb of ['activities', 'signals', 'change_log']) await q(`vacuum analyze ${tb}`);
const generateMs = performance.now() - t0;

const staff: ActorContext = {
  ...systemContext(tenantId, 'ui', '隐私专员'),
  actorType: 'user',
  actorId: t.tenantA.userIds.admin,
};
t0 = performance.now();
const ex = await startExport(t.server.platform, staff, contactId);
const exportMs = performance.now() - t0;

t0 = performance.now();
const seen = await t.request('GET', `/api/v1/privacy/subjects/${contactId}/data?limit=200`, {
  token: t.tenantA.tokens.admin,
});
const seeMs = performance.now() - t0;
const file = await t.request('GET', `/api/v1/privacy/subjects/${contactId}/exports/${ex.id}/file`, {
  token: t.tenantA.tokens.admin,
});
await t.close();
await dropTemplate();
rmSync(dataDir, { recursive: true, force: true });

const ok = ex.status === 'done' && seen.statusCode === 200 && file.statusCode === 200;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const table = markdownTable(
  [
    'database',
    'person’s activities + signals',
    'others’ rows',
    'export job',
    'records exported',
    'zip size',
    '"see everything" (200/section)',
    'generated in',
  ],
  [
    [
      dbName,
      `${N.toLocaleString('en')} + ${N.toLocaleString('en')}`,
      (2 * OTHERS).toLocaleString('en'),
      sec(exportMs),
      ex.records ?? '—',
      `${((ex.file_bytes ?? 0) / 1024 / 1024).toFixed(1)} MB`,
      sec(seeMs),
      sec(generateMs),
    ],
  ],
);
const body = `${table}\n\n${ok ? '' : '**BENCH FAILED** (export or read did not succeed).\n\n'}Real server code in-process (${dbName}): \`startExport\` with no job worker runs the \`sovereignty.export\` job in the call (module by module, progress after each, zip level 6 written to the data dir); "see everything" is one HTTP request through the app (inject).\n`;
console.log(body);
appendSection(
  `Personal-data export of one contact (${dbName}, ${N.toLocaleString('en')} activities and signals)`,
  `${process.env.DATABASE_URL ? `DATABASE_URL=${process.env.DATABASE_URL} ` : ''}npx tsx bench/privacy/export.bench.ts`,
  body,
);
process.exit(ok ? 0 : 1);

/**
 * Erasure of one person in a big tenant (issue 13, benchmark): a tenant with N opportunities (and
 * N/10 contacts, N/5 activities, N/10 signals, a change-log row per opportunity and contact, all
 * by bulk SQL) plus one person seeded through the real write paths (contact, activities as a
 * participant and mentioned in notes, one on a won deal, signals about them). Measured: the
 * time of `runErasure` (ledger, every module's provider, the platform's change log and outbox,
 * the outbound notice) and the rows it touched, per table.
 *
 *   npx tsx bench/privacy/erasure.bench.ts --opportunities 100000              (PGlite)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/privacy/erasure.bench.ts
 *
 * Default --opportunities 1000000. Env: BENCH_NO_APPEND=1 (print only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { activityService, contactService } from '../../server/src/modules/crm/crm.service.js';
import { runErasure } from '../../server/src/modules/sovereignty/sovereignty-erasure.service.js';
import { systemContext } from '../../server/src/platform/auth/auth-context.js';
import { startTestServer } from '../../server/test/harness.js';
import { dropTemplate, prepareTemplate } from '../../server/test/test-database.js';
import { appendSection, markdownTable } from '../crm/lib.js';

const { values } = parseArgs({
  options: { opportunities: { type: 'string', default: '1000000' } },
});
const N_OPPS = Number(values.opportunities);
const N_ACCOUNTS = Math.max(1000, Math.round(N_OPPS / 50));
const N_CONTACTS = Math.round(N_OPPS / 10);
const N_ACTIVITIES = Math.round(N_OPPS / 5);
const N_SIGNALS = Math.round(N_OPPS / 10);
const dbName = process.env.DATABASE_URL ? 'postgres' : 'pglite';

await prepareTemplate();
const dataDir = mkdtempSync(join(tmpdir(), 'zhongshu-erasure-bench-'));
const t = await startTestServer({ dataDir });
const db = t.server.platform.database;
const tenantId = t.tenantA.id;
const q = (text: string, params: unknown[] = []) => db.query(text, params);
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let t0 = performance.now();
const { rows: prow } = await db.query<{ id: string }>('select id from pipelines where tenant_id = $1', [
  tenantId,
]);
const pipelineId = prow[0].id;
await q(
  `insert into accounts (tenant_id, name, domains)
   select $1, '测试客户' || g || '有限公司', array['c' || g || '.example.cn'] from generate_series(1, $2::int) g`,
  [tenantId, N_ACCOUNTS],
);
await q(
  `with acc as (select array_agg(id) ids, count(*)::int n from accounts where tenant_id = $1)
   insert into opportunities (tenant_id, name, account_id, pipeline_id, stage, status, amount, expected_close_date)
   select $1, '储能项目 #' || g, acc.ids[1 + (g % acc.n)], $2,
          case when g % 7 = 0 then 'won' else 'qualify' end, case when g % 7 = 0 then 'won' else 'open' end,
          10000 + g % 100000, date '2026-01-01' + (g % 365)
   from generate_series(1, $3::int) g, acc`,
  [tenantId, pipelineId, N_OPPS],
);
await q(
  `with acc as (select array_agg(id) ids, count(*)::int n from accounts where tenant_id = $1)
   insert into contacts (tenant_id, name, emails, phones, account_id, title)
   select $1, '联系人' || g, array['person' || g || '@example.cn'], array['1390000' || lpad(g::text, 4, '0')],
          acc.ids[1 + (g % acc.n)], '经理'
   from generate_series(1, $2::int) g, acc`,
  [tenantId, N_CONTACTS],
);
await q(
  `with c as (select array_agg(id) ids, array_agg(account_id) accs, count(*)::int n from contacts where tenant_id = $1)
   insert into activities (tenant_id, type, subject, body, occurred_at, account_id, contact_ids)
   select $1, 'call', '电话沟通 #' || g, '讨论报价与交付计划，客户关注售后响应时间。',
          timestamptz '2026-01-01' + (g % 300) * interval '1 day', c.accs[1 + (g % c.n)], array[c.ids[1 + (g % c.n)]]
   from generate_series(1, $2::int) g, c`,
  [tenantId, N_ACTIVITIES],
);
await q(
  `with c as (select array_agg(id) ids, array_agg(account_id) accs, count(*)::int n from contacts where tenant_id = $1)
   insert into signals (tenant_id, type, source, occurred_at, subject, payload, provenance, account_id, contact_id, matched)
   select $1, 'website_visit', 'web-analytics', now() - (g % 90) * interval '1 day',
          jsonb_build_object('email', 'person' || (1 + g % c.n) || '@example.cn'),
          jsonb_build_object('url', 'https://example.cn/pricing', 'visits', g % 9),
          '{"method": "api"}'::jsonb, c.accs[1 + (g % c.n)], c.ids[1 + (g % c.n)], true
   from generate_series(1, $2::int) g, c`,
  [tenantId, N_SIGNALS],
);
await q(
  `insert into change_log (tenant_id, entity, entity_id, action, changes, actor_type, actor_name, source, method)
   select tenant_id, 'opportunities', id, 'create',
          jsonb_build_object('name', jsonb_build_object('old', null, 'new', name), 'amount', jsonb_build_object('old', null, 'new', amount)),
          'import', '批量导入', 'import:csv', 'import'
   from opportunities where tenant_id = $1
   union all
   select tenant_id, 'contacts', id, 'create',
          jsonb_build_object('name', jsonb_build_object('old', null, 'new', name), 'emails', jsonb_build_object('old', null, 'new', emails)),
          'import', '批量导入', 'import:csv', 'import'
   from contacts where tenant_id = $1`,
  [tenantId],
);
if (db.kind === 'postgres')
  for (const tb of ['accounts', 'opportunities', 'contacts', 'activities', 'signals', 'change_log'])
    await q(`vacuum analyze ${tb}`);
const generateMs = performance.now() - t0;

// The person, through the real write paths.
const ctx = systemContext(tenantId, 'ui', 'CSM 王芳');
const { rows: won } = await db.query<{ id: string; account_id: string }>(
  `select id, account_id from opportunities where tenant_id = $1 and status = 'won' limit 1`,
  [tenantId],
);
const acc = [{ id: won[0].account_id }];
const person = await db.tenantTx(tenantId, async (tx) => {
  const c = await contactService.create(tx, ctx, {
    name: '林晓雯',
    name_en: 'Xiaowen Lin',
    emails: ['xiaowen.lin@atl-battery.com'],
    phones: ['13800138000'],
    account_id: acc[0].id,
  });
  for (let i = 0; i < 20; i++)
    await activityService.create(tx, ctx, {
      type: 'call',
      subject: `回访 ${i}`,
      body: `与林晓雯沟通，手机 13800138000 (${i})`,
      occurred_at: new Date(),
      account_id: acc[0].id,
      contact_ids: [c.id],
    });
  await activityService.create(tx, ctx, {
    type: 'meeting',
    subject: '合同签署',
    body: '林晓雯代表客户签署合同',
    occurred_at: new Date(),
    account_id: acc[0].id,
    opportunity_id: won[0]?.id ?? null,
    contact_ids: [c.id],
  });
  return String(c.id);
});
await q(
  `insert into signals (tenant_id, type, source, occurred_at, subject, payload, provenance, contact_id, matched)
   select $1, 'website_visit', 'web-analytics', now(), '{"email": "xiaowen.lin@atl-battery.com"}'::jsonb,
          jsonb_build_object('visits', g), '{"method": "api"}'::jsonb, $2, true from generate_series(1, 20) g`,
  [tenantId, person],
);
await t.settle();

t0 = performance.now();
const report = await db.tenantTx(tenantId, (tx) =>
  runErasure(t.server.platform, tx, systemContext(tenantId, 'ui', '隐私专员'), {
    caseId: null,
    contactId: person,
  }),
);
const eraseMs = performance.now() - t0;
await t.close();
await dropTemplate();
rmSync(dataDir, { recursive: true, force: true });

const touched = report.outcomes.filter((o) => o.rows > 0);
const table = markdownTable(
  [
    'database',
    'opportunities',
    'contacts',
    'activities',
    'signals',
    'change-log rows',
    'erasure (one person)',
    'rows touched',
    'generated in',
  ],
  [
    [
      dbName,
      N_OPPS.toLocaleString('en'),
      N_CONTACTS.toLocaleString('en'),
      N_ACTIVITIES.toLocaleString('en'),
      N_SIGNALS.toLocaleString('en'),
      (N_OPPS + N_CONTACTS).toLocaleString('en'),
      sec(eraseMs),
      report.rows_touched,
      sec(generateMs),
    ],
  ],
);
const detail = markdownTable(
  ['module', 'table', 'action', 'rows', 'reason'],
  touched.map((o) => [o.module, o.table, o.action, o.rows, o.reason ?? '']),
);
const body = `${table}\n\n${detail}\n\nOne \`runErasure\` in one transaction (real server code in-process, ${dbName}): ledger entry (table + file), every module's provider (crm, signals, interventions, predict, mappings, webhooks), the person's exports, the platform's change log and outbox, the \`privacy.erasure_requested\` event. Mentions in free text are found by \`ilike any\` over the text/json columns of the tenant (sequential scans: no index serves a substring of any column), so the time grows with the tenant's data, not with the person's.\n`;
console.log(body);
appendSection(
  `Erasure of one person (${dbName}, ${N_OPPS.toLocaleString('en')} opportunities)`,
  `${process.env.DATABASE_URL ? `DATABASE_URL=${process.env.DATABASE_URL} ` : ''}npx tsx bench/privacy/erasure.bench.ts --opportunities ${N_OPPS}`,
  body,
);
process.exit(0);

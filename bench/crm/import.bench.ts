/**
 * Import 100,000 accounts from CSV through the real CLI (`zhongshu import`) on PostgreSQL and on
 * PGlite (fresh data dir), with a dry run of the same file (validation only) and, in the same run,
 * a baseline: raw batched multi-row INSERT of the same rows (1,000 per statement, one transaction).
 *
 *   npx tsx bench/crm/import.bench.ts
 *
 * Env: BENCH_PG_URL (admin URL), BENCH_ROWS (default 100000), BENCH_NO_APPEND=1.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { withCreditCodeCheckDigit } from '../../server/src/modules/crm/crm.validation.js';
import { appendSection, dropDatabase, markdownTable, met, recreateDatabase, runCli } from './lib.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const TENANT = 'bench-import';
const PASSWORD = 'bench-password-1';
const DB = 'zs_bench_import';

// ---------- realistic Chinese company rows ----------
const CITIES: [string, string, string][] = [
  ['上海', '310115', '上海市浦东新区张江路'],
  ['北京', '110108', '北京市海淀区中关村大街'],
  ['深圳', '440305', '深圳市南山区科技园南路'],
  ['杭州', '330106', '杭州市西湖区文三路'],
  ['苏州', '320505', '苏州市虎丘区狮山路'],
  ['宁德', '350902', '宁德市蕉城区漳湾镇新港路'],
  ['合肥', '340104', '合肥市蜀山区望江西路'],
  ['成都', '510107', '成都市武侯区天府大道'],
  ['武汉', '420111', '武汉市洪山区光谷大道'],
  ['广州', '440106', '广州市天河区珠江新城'],
  ['南京', '320114', '南京市雨花台区软件大道'],
  ['西安', '610113', '西安市雁塔区高新路'],
  ['天津', '120116', '天津市滨海新区第二大街'],
  ['常州', '320411', '常州市新北区龙锦路'],
  ['无锡', '320214', '无锡市新吴区长江路'],
];
const BRANDS: [string, string][] = [
  ['华瑞', 'huarui'],
  ['恒远', 'hengyuan'],
  ['中科', 'zhongke'],
  ['联创', 'lianchuang'],
  ['博源', 'boyuan'],
  ['天成', 'tiancheng'],
  ['鼎盛', 'dingsheng'],
  ['星辰', 'xingchen'],
  ['海纳', 'haina'],
  ['启明', 'qiming'],
  ['长风', 'changfeng'],
  ['金桥', 'jinqiao'],
  ['宏达', 'hongda'],
  ['安信', 'anxin'],
  ['睿驰', 'ruichi'],
  ['德赛', 'desai'],
  ['沃特', 'wote'],
  ['亿纬', 'yiwei'],
  ['国轩', 'guoxuan'],
  ['迈瑞', 'mairui'],
  ['联影', 'lianying'],
  ['中控', 'zhongkong'],
  ['汇川', 'huichuan'],
  ['和利', 'heli'],
  ['蓝海', 'lanhai'],
  ['卓越', 'zhuoyue'],
  ['新源', 'xinyuan'],
  ['泰和', 'taihe'],
  ['正泰', 'zhengtai'],
  ['远景', 'yuanjing'],
];
const INDUSTRIES: [string, string, string][] = [
  ['新能源科技', '新能源', 'power'],
  ['医疗器械', '医疗', 'med'],
  ['工业软件', '软件', 'soft'],
  ['精密制造', '制造', 'mfg'],
  ['汽车零部件', '汽车', 'auto'],
  ['电子科技', '电子', 'tech'],
  ['储能技术', '能源', 'ess'],
  ['智能装备', '装备', 'equip'],
];
const SUFFIX = ['有限公司', '股份有限公司', '集团有限公司'];
const SIZES = ['small', 'medium', 'large', 'enterprise'];
const TAGS = [
  '重点客户',
  'KA',
  '华东',
  '华南',
  '华北',
  '西南',
  '新客户',
  '续约',
  '招投标',
  '国企',
  '外资',
  '上市公司',
];
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

function makeCsv(n: number, ownerEmails: string[]) {
  let seed = 20261127;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)];
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = ['名称,统一社会信用代码,域名,行业,规模,员工数,负责人邮箱,标签,官网,电话,地址,别名'];
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const [city, region, street] = CITIES[i % CITIES.length];
    const [brand, py] = BRANDS[Math.floor(i / CITIES.length) % BRANDS.length];
    const [ind, indShort, indPy] =
      INDUSTRIES[Math.floor(i / (CITIES.length * BRANDS.length)) % INDUSTRIES.length];
    const serial = Math.floor(i / (CITIES.length * BRANDS.length * INDUSTRIES.length));
    const name = `${city}${brand}${ind}${SUFFIX[serial % 3]}${serial >= 3 ? `（第${serial}分公司）` : ''}`;
    // 91 (enterprise) + 6-digit region + 9-char org code (unique per row) + check character.
    let org = '';
    let v = i * 7919 + 104729;
    for (let k = 0; k < 9; k++) {
      org = CHARS[v % 31] + org;
      v = Math.floor(v / 31);
    }
    const code = withCreditCodeCheckDigit(`91${region}${org}`);
    const domain = `${py}-${indPy}${i}.com.cn`;
    const tags = [pick(TAGS), ...(rnd() < 0.5 ? [pick(TAGS)] : [])].filter((t, k, a) => a.indexOf(t) === k);
    const employees = Math.round(20 * Math.exp(rnd() * 6));
    const row = {
      name,
      credit_code: code,
      domains: [domain],
      industry: indShort,
      size: SIZES[employees < 100 ? 0 : employees < 500 ? 1 : employees < 2000 ? 2 : 3],
      employees,
      owner: ownerEmails[Math.floor(ownerEmails.length * rnd() ** 1.3)],
      tags,
      website: `https://www.${domain}`,
      phone: `0${20 + (i % 70)}-${String(60000000 + ((i * 7331) % 39999999))}`,
      address: `${street}${1 + (i % 999)}号`,
      aliases: [`${brand}${indShort}`],
    };
    rows.push(row);
    lines.push(
      [
        row.name,
        row.credit_code,
        row.domains.join(';'),
        row.industry,
        row.size,
        String(row.employees),
        row.owner,
        row.tags.join(';'),
        row.website,
        row.phone,
        row.address,
        row.aliases.join(';'),
      ]
        .map(esc)
        .join(','),
    );
  }
  return { csv: `\uFEFF${lines.join('\n')}\n`, rows };
}

const COLS = [
  'tenant_id',
  'name',
  'credit_code',
  'domains',
  'industry',
  'size',
  'employees',
  'owner_id',
  'tags',
  'website',
  'phone',
  'address',
  'aliases',
];

/** Baseline: the same rows as multi-row INSERTs of 1,000 in one transaction (no validation, no audit). */
async function rawInsert(
  query: (text: string, values: unknown[]) => Promise<unknown>,
  tenantId: string,
  ownerIds: Map<string, string>,
  rows: Record<string, any>[],
) {
  const t0 = performance.now();
  await query('begin', []);
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const values: unknown[] = [];
    const tuples = chunk.map((r) => {
      const vals = [
        tenantId,
        r.name,
        r.credit_code,
        r.domains,
        r.industry,
        r.size,
        r.employees,
        ownerIds.get(r.owner),
        r.tags,
        r.website,
        r.phone,
        r.address,
        r.aliases,
      ];
      const ph = vals.map((v) => {
        values.push(v);
        return `$${values.length}`;
      });
      return `(${ph.join(',')})`;
    });
    await query(`insert into accounts (${COLS.join(',')}) values ${tuples.join(',')}`, values);
  }
  await query('commit', []);
  return performance.now() - t0;
}

async function setupTenant(env: Record<string, string>, users: string[]) {
  const times: number[] = [];
  users.forEach((email, k) => {
    times.push(
      runCli(
        [
          'user',
          'create',
          '--tenant',
          TENANT,
          '--email',
          email,
          '--password',
          PASSWORD,
          '--role',
          k === 0 ? 'admin' : 'rep',
        ],
        env,
      ).ms,
    );
  });
  return times;
}

function importVia(env: Record<string, string>, file: string, dryRun: boolean) {
  const args = [
    'import',
    '--tenant',
    TENANT,
    '--entity',
    'accounts',
    '--file',
    file,
    ...(dryRun ? ['--dry-run'] : []),
  ];
  const r = runCli(args, env, true);
  const summary = /(\d+) rows, (\d+) valid, (\d+) invalid(?:, (\d+) imported)? in ([\d.]+) s/.exec(r.stdout);
  if (r.status !== 0 || !summary)
    throw new Error(`import failed (${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return {
    wall: r.ms / 1000,
    inner: Number(summary[5]),
    valid: Number(summary[2]),
    imported: Number(summary[4] ?? 0),
  };
}

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'zs-bench-import-'));
  const users = [
    'admin@bench-import.example',
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => `rep${i}@bench-import.example`),
  ];
  let pglite: PGlite | null = null;
  try {
    const t0 = performance.now();
    const { csv, rows } = makeCsv(ROWS, users);
    const file = join(tmp, 'accounts-100k.csv');
    writeFileSync(file, csv);
    const genMs = performance.now() - t0;
    const sizeMb = statSync(file).size / 2 ** 20;
    console.log(
      `generated ${ROWS} rows (${sizeMb.toFixed(1)} MB) in ${(genMs / 1000).toFixed(1)} s → ${file}`,
    );

    // --- PostgreSQL ---
    const url = await recreateDatabase(DB);
    const pgEnv = { DATABASE_URL: url };
    await setupTenant(pgEnv, users);
    const pgDry = importVia(pgEnv, file, true);
    const pgImp = importVia(pgEnv, file, false);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const cnt = async (tenant: string) =>
      Number(
        (
          await pool.query(
            'select count(*)::int n from accounts a join tenants t on t.id = a.tenant_id where t.name = $1',
            [tenant],
          )
        ).rows[0].n,
      );
    const pgCount = await cnt(TENANT);
    const logCount = Number(
      (await pool.query(`select count(*)::int n from change_log where entity = 'accounts'`)).rows[0].n,
    );
    // baseline: raw INSERT of the same rows into a second tenant of the same database
    await setupTenantRaw(pool, 'bench-import-raw');
    const rawTenant = (await pool.query(`select id from tenants where name = 'bench-import-raw'`)).rows[0].id;
    const owners = new Map<string, string>(
      (await pool.query(`select id from users limit 1`)).rows.flatMap((r) =>
        users.map((u) => [u, r.id] as [string, string]),
      ),
    );
    const client = await pool.connect();
    const pgRawMs = await rawInsert((t, v) => client.query(t, v), rawTenant, owners, rows);
    client.release();
    await pool.end();
    await dropDatabase(DB);

    // --- PGlite (fresh data dir) ---
    const dataDir = join(tmp, 'pglite');
    const liteEnv = { ZHONGSHU_DATA_DIR: dataDir, DATABASE_URL: '' };
    await setupTenant(liteEnv, users);
    const liteDry = importVia(liteEnv, file, true);
    const liteImp = importVia(liteEnv, file, false);
    pglite = await PGlite.create(dataDir, { extensions: { pg_trgm } });
    const liteCount = Number(
      ((await pglite.query(`select count(*)::int n from accounts`)).rows[0] as { n: number }).n,
    );
    await pglite.exec(`insert into tenants (name) values ('bench-import-raw')`);
    const liteTenant = (
      (await pglite.query(`select id from tenants where name = 'bench-import-raw'`)).rows[0] as any
    ).id;
    const liteOwner = ((await pglite.query(`select id from users limit 1`)).rows[0] as any).id;
    const liteRawMs = await rawInsert(
      (t, v) => (v.length ? pglite!.query(t, v) : pglite!.exec(t)),
      liteTenant,
      new Map(users.map((u) => [u, liteOwner])),
      rows,
    );
    await pglite.close();
    pglite = null;

    const table = markdownTable(
      [
        'database',
        'CLI import wall',
        'in runImport (CLI-reported)',
        'dry run wall (validate only)',
        'raw INSERT baseline',
        'rows imported',
        'target',
        'result',
      ],
      [
        [
          'PostgreSQL 15',
          `${pgImp.wall.toFixed(1)} s`,
          `${pgImp.inner.toFixed(1)} s`,
          `${pgDry.wall.toFixed(1)} s`,
          `${(pgRawMs / 1000).toFixed(1)} s`,
          `${pgCount} (change_log rows: ${logCount})`,
          '≤ 30 s',
          met(pgImp.wall <= 30 && pgCount === ROWS),
        ],
        [
          'PGlite (fresh ZHONGSHU_DATA_DIR)',
          `${liteImp.wall.toFixed(1)} s`,
          `${liteImp.inner.toFixed(1)} s`,
          `${liteDry.wall.toFixed(1)} s`,
          `${(liteRawMs / 1000).toFixed(1)} s`,
          String(liteCount),
          '≤ 90 s',
          met(liteImp.wall <= 90 && liteCount === ROWS),
        ],
      ],
    );
    const body = [
      `File: ${ROWS.toLocaleString('en')} accounts, ${sizeMb.toFixed(1)} MB UTF-8 CSV with Chinese headers (名称, 统一社会信用代码 with valid GB 32100 check digit, 域名, 行业, 规模, 员工数, 负责人邮箱 over 8 users, 标签, 官网, 电话, 地址, 别名). Tenant and users created with \`zhongshu user create\`; import with \`zhongshu import --tenant ${TENANT} --entity accounts --file …\` (wall = process start to exit, including tsx start-up and migration check). Baseline: the same rows as 1,000-row multi-row INSERTs in one transaction, no validation, audit or events, into a second tenant of the same database.`,
      '',
      table,
    ].join('\n');
    console.log(`\n${body}\n`);
    appendSection(
      'CRM import 100,000 accounts from CSV (PostgreSQL and PGlite)',
      'npx tsx bench/crm/import.bench.ts',
      body,
    );
  } finally {
    if (pglite) await pglite.close().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
    await dropDatabase(DB).catch(() => undefined);
  }
}

async function setupTenantRaw(pool: pg.Pool, name: string) {
  await pool.query('insert into tenants (name) values ($1)', [name]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { systemContext } from '../../platform/auth/auth-context.js';
import type { CliRuntime } from '../../platform/local-admin/cli-runtime.js';
import { findTenantByName } from '../../platform/tenancy/tenant.service.js';
import { importSignalFile } from './signal-import.service.js';

/**
 * `zhongshu simulate signals --rate N --duration S [--url URL --token TOKEN]`: streams realistic
 * signals about the existing accounts of the token's tenant through the public API (default: the
 * demo tenant of the local server, logged in as its admin), so interventions appear while you watch.
 */
export function registerSignalCommands(program: Command, rt: CliRuntime): void {
  const say = (line: string) => rt.out(`${line}\n`);
  const simulate =
    program.commands.find((c) => c.name() === 'simulate') ??
    program.command('simulate').description('Generate live demo traffic');
  simulate
    .command('signals')
    .description('Stream realistic signals about existing accounts through POST /api/v1/signals')
    .option('--rate <n>', 'signals per second', '20')
    .option('--duration <s>', 'seconds to run (0 = until Ctrl-C)', '60')
    .option('--url <url>', 'server base URL (default http://localhost:$PORT)')
    .option('--token <token>', 'API key or session token (default: log in to the demo tenant as its admin)')
    .option('--unmatched <share>', 'share of signals naming unknown companies', '0.03')
    .action(async (opts) => {
      const url = String(opts.url ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, '');
      const token = opts.token ?? (await demoLogin(url));
      const stats = await simulateSignals({
        url,
        token,
        rate: Number(opts.rate),
        durationSeconds: Number(opts.duration),
        unmatchedShare: Number(opts.unmatched),
        log: say,
      });
      say(
        `done: sent ${stats.sent}, accepted ${stats.accepted}, duplicates ${stats.duplicates}, rejected ${stats.rejected}, unmatched ${stats.unmatched}, errors ${stats.errors}`,
      );
    });

  const signalsCmd =
    program.commands.find((c) => c.name() === 'signals') ??
    program.command('signals').description('Signals: import files');
  signalsCmd
    .command('import')
    .description(
      'Import signals from a CSV or .xlsx file through the same ingest as POST /api/v1/signals (--dry-run only reports)',
    )
    .requiredOption('--tenant <name>', 'tenant name')
    .requiredOption('--file <path>', 'CSV or .xlsx file')
    .option('--dry-run', 'validate only (the ingest runs and is rolled back)', false)
    .option('--source <source>', 'source of rows that do not name one')
    .option('--mapping <json>', 'JSON object: file column → field (suggested from the headers by default)')
    .action(
      async (opts: { tenant: string; file: string; dryRun: boolean; source?: string; mapping?: string }) => {
        rt.exitCode = await importCommand(rt, opts);
      },
    );
}

/** Exit code: 0 all rows stored (or duplicates), 1 some rows rejected, 2 bad file/mapping/tenant. */
async function importCommand(
  rt: CliRuntime,
  opts: {
    tenant: string;
    file: string;
    dryRun: boolean;
    source?: string;
    mapping?: string;
  },
): Promise<number> {
  const say = (line: string) => rt.out(`${line}\n`);
  const fail = (message: string) => {
    rt.err(`zhongshu: ${message}\n`);
    return 2;
  };
  let content: Buffer;
  try {
    content = readFileSync(resolve(rt.cwd, opts.file));
  } catch {
    return fail(`--file: cannot read ${opts.file}`);
  }
  let mapping: Record<string, string> | undefined;
  try {
    mapping = opts.mapping ? JSON.parse(opts.mapping) : undefined;
  } catch {
    return fail('--mapping: not valid JSON');
  }
  return rt.withDatabase(async (database) => {
    const tenant = await findTenantByName(database, opts.tenant);
    if (!tenant) return fail(`No tenant named "${opts.tenant}"`);
    const t0 = Date.now();
    let result: Awaited<ReturnType<typeof importSignalFile>>;
    try {
      result = await importSignalFile(database, systemContext(tenant.id, 'import', 'zhongshu CLI'), {
        filename: opts.file,
        content,
        mapping,
        dry_run: opts.dryRun,
        source: opts.source,
      });
    } catch (err) {
      const e = err as { status?: number; message?: string; errors?: { field: string; reason: string }[] };
      if (e?.status && e.status < 500)
        return fail(
          `${opts.file}: ${e.message}${e.errors?.length ? ` (${e.errors.map((x) => `${x.field}: ${x.reason}`).join('; ')})` : ''}`,
        );
      throw err;
    }
    const problems = result.results.filter((r) => r.status === 'rejected');
    for (const r of problems.slice(0, 200)) say(`row ${r.row}: ${r.reason}`);
    if (problems.length > 200) say(`… and ${problems.length - 200} more rejected rows`);
    const unmatched = result.results.filter((r) => r.status === 'accepted' && !r.matched).length;
    say(
      `${opts.dryRun ? 'Dry run: ' : ''}${result.total} rows: ${result.accepted} ${opts.dryRun ? 'would be accepted' : 'accepted'} (${unmatched} unmatched, kept for review), ${result.duplicates} duplicates, ${result.rejected} rejected in ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
    );
    return result.rejected > 0 ? 1 : 0;
  });
}

async function demoLogin(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.zhongshu.local', password: 'zhongshu-demo', tenant: 'demo' }),
  });
  if (!res.ok)
    throw new Error(
      `login to the demo tenant at ${url} failed (${res.status}): is the server running with the demo seed? Pass --url/--token otherwise.`,
    );
  return ((await res.json()) as { token: string }).token;
}

interface Account {
  id: string;
  name: string;
  domains: string[];
  credit_code: string | null;
}

export interface SimulationStats {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  unmatched: number;
  errors: number;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const between = (a: number, b: number) => Math.round(a + Math.random() * (b - a));

// Weighted mix: frequent behavioural signals, rarer business events.
const MIX: [string, number, () => Record<string, unknown>][] = [
  [
    'website_visit',
    30,
    () => ({ url: pick(['/', '/products/ess', '/cases', '/about']), visits: between(1, 4) }),
  ],
  [
    'intent_page_view',
    10,
    () => ({
      page_category: pick(['pricing', 'api_docs', 'competitor_comparison', 'case_study']),
      dwell_seconds: between(20, 400),
    }),
  ],
  [
    'email_reply',
    8,
    () => ({
      subject: pick(['Re: 报价单', 'Re: 技术方案', 'Re: 会议邀请']),
      sentiment: Math.round((Math.random() * 2 - 1) * 100) / 100,
    }),
  ],
  [
    'call_outcome',
    8,
    () => ({
      outcome: pick(['connected', 'no_answer', 'rejected', 'meeting_booked', 'voicemail']),
      duration_seconds: between(0, 900),
    }),
  ],
  [
    'meeting_note',
    5,
    () => ({
      platform: pick(['wecom', 'dingtalk', 'feishu']),
      summary: pick(['讨论了储能系统循环寿命要求', '客户对交付周期有顾虑', '客户提到竞品报价更低']),
      sentiment: Math.round((Math.random() * 1.6 - 0.8) * 100) / 100,
      mentions_competitor: Math.random() < 0.2,
    }),
  ],
  [
    'product_usage',
    6,
    () => ({ metric: 'daily_active_users', value: between(10, 500), change_pct: between(-60, 40) }),
  ],
  [
    'support_ticket',
    5,
    () => ({
      subject: pick(['BMS 告警', '接口超时', '报表导出失败']),
      priority: pick(['low', 'normal', 'high', 'urgent']),
      escalated: Math.random() < 0.15,
    }),
  ],
  [
    'competitor_sentiment',
    3,
    () => ({
      competitor: pick(['竞品A', '竞品B']),
      sentiment: Math.round((Math.random() * 2 - 1) * 100) / 100,
      channel: pick(['微博', '知乎', '行业论坛']),
    }),
  ],
  [
    'job_posting',
    3,
    () => ({ title: pick(['采购经理', '储能工程师', '供应链专员']), is_procurement: Math.random() < 0.4 }),
  ],
  [
    'tender_notice',
    2,
    () => ({
      title: pick(['储能电站EPC招标', '动力电池采购项目', '备用电源框架采购']),
      budget: between(1, 50) * 1e6,
      platform: pick(['中国招标投标公共服务平台', '政府采购网']),
    }),
  ],
  [
    'registry_change',
    2,
    () => ({
      field: pick(['legal_representative', 'registered_capital', 'shareholders', 'address']),
      old_value: '旧值',
      new_value: '新值',
    }),
  ],
  [
    'customs_record',
    3,
    () => ({ direction: pick(['import', 'export']), volume_change_pct: between(-50, 80), hs_code: '850760' }),
  ],
  [
    'payment_overdue',
    2,
    () => ({
      invoice_id: `INV-${between(1000, 9999)}`,
      amount: between(1, 200) * 1e4,
      days_overdue: between(5, 120),
    }),
  ],
  [
    'job_change',
    1,
    () => ({
      person: pick(['王总', '李工', '陈经理']),
      old_title: pick(['CTO', '采购总监']),
      new_company: '某新能源公司',
      left_company: Math.random() < 0.6,
    }),
  ],
  ['team_attrition', 1, () => ({ employee: pick(['赵磊', '孙丽']), role: 'rep' })],
  [
    'contract_renewal',
    2,
    () => ({
      contract_id: `C-${between(100, 999)}`,
      days_to_renewal: between(10, 200),
      value: between(10, 500) * 1e4,
    }),
  ],
  [
    'funding_news',
    1,
    () => ({
      kind: pick(['funding', 'expansion', 'new_plant']),
      amount: between(1, 30) * 1e8,
      summary: '新基地投产',
    }),
  ],
];
const TOTAL = MIX.reduce((s, m) => s + m[1], 0);
const SOURCES: Record<string, string> = {
  website_visit: 'web-analytics',
  intent_page_view: 'web-analytics',
  email_reply: 'email',
  call_outcome: 'call-center',
  meeting_note: 'wecom',
  product_usage: 'product-telemetry',
  support_ticket: 'helpdesk',
  competitor_sentiment: 'social-listening',
  job_posting: 'job-boards',
  tender_notice: 'tender-platform',
  registry_change: 'qichacha',
  customs_record: 'customs',
  payment_overdue: 'erp',
  job_change: 'linkedin',
  team_attrition: 'hr',
  contract_renewal: 'contracts',
  funding_news: 'news',
};

function makeSignal(accounts: Account[], unmatchedShare: number) {
  let r = Math.random() * TOTAL;
  let entry = MIX[0];
  for (const m of MIX) {
    r -= m[1];
    if (r <= 0) {
      entry = m;
      break;
    }
  }
  const [type, , payload] = entry;
  const a = pick(accounts);
  let subject: Record<string, string>;
  if (Math.random() < unmatchedShare)
    subject = {
      company_name: `${pick(['华东', '西南', '北方'])}${pick(['储能', '电子', '物流'])}${between(1, 99)}有限公司`,
    };
  else {
    const options: Record<string, string>[] = [{ account_id: a.id }, { company_name: a.name }];
    if (a.domains[0]) options.push({ domain: a.domains[0] }, { email: `contact@${a.domains[0]}` });
    if (a.credit_code) options.push({ credit_code: a.credit_code });
    subject = pick(options);
  }
  return {
    type,
    source: SOURCES[type] ?? 'simulator',
    occurred_at: new Date(Date.now() - between(0, 3 * 3600) * 1000).toISOString(),
    subject,
    payload: payload(),
    strength: Math.round(Math.random() * 100) / 100,
    idempotency_key: `sim-${crypto.randomUUID()}`,
  };
}

export async function simulateSignals(o: {
  url: string;
  token: string;
  rate: number;
  durationSeconds: number;
  unmatchedShare?: number;
  log?: (line: string) => void;
}): Promise<SimulationStats> {
  const headers = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' };
  const accounts: Account[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${o.url}/api/v1/accounts?limit=500${cursor ? `&cursor=${cursor}` : ''}`, {
      headers,
    });
    if (!res.ok) throw new Error(`listing accounts failed (${res.status}): ${await res.text()}`);
    const page = (await res.json()) as { data: Account[]; next_cursor: string | null };
    accounts.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && accounts.length < 5000);
  if (!accounts.length) throw new Error('the tenant has no accounts to simulate signals about');
  const stats: SimulationStats = {
    sent: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    unmatched: 0,
    errors: 0,
  };
  const tickMs = 200;
  const end = o.durationSeconds > 0 ? Date.now() + o.durationSeconds * 1000 : Infinity;
  let carry = 0;
  let lastLog = Date.now();
  let stopping = false;
  const onSig = () => {
    stopping = true;
  };
  process.once('SIGINT', onSig);
  while (Date.now() < end && !stopping) {
    const started = Date.now();
    carry += (o.rate * tickMs) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    if (n > 0) {
      const batch = Array.from({ length: n }, () => makeSignal(accounts, o.unmatchedShare ?? 0.03));
      try {
        const res = await fetch(`${o.url}/api/v1/signals`, {
          method: 'POST',
          headers,
          body: JSON.stringify(batch),
        });
        if (res.status !== 202) stats.errors += n;
        else {
          const body = (await res.json()) as {
            accepted: number;
            duplicates: number;
            rejected: number;
            results: { matched: boolean }[];
          };
          stats.accepted += body.accepted;
          stats.duplicates += body.duplicates;
          stats.rejected += body.rejected;
          stats.unmatched += body.results.filter((r) => !r.matched).length;
        }
      } catch {
        stats.errors += n;
      }
      stats.sent += n;
    }
    if (Date.now() - lastLog >= 5000) {
      o.log?.(
        `sent ${stats.sent} (accepted ${stats.accepted}, unmatched ${stats.unmatched}, errors ${stats.errors})`,
      );
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - started))));
  }
  process.off('SIGINT', onSig);
  return stats;
}

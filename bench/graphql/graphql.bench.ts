/**
 * GraphQL vs REST for the same screen: 50 opportunities with their account, owner and latest win
 * probability (method, model version, top factors). In one run, on a real server (the test harness:
 * PGlite, or PostgreSQL when DATABASE_URL is set), through HTTP injection (no network):
 * - GraphQL: one POST /graphql;
 * - REST, the same data: GET /opportunities?limit=50, then GET /accounts/:id for each distinct
 *   account, GET /users/:id for each distinct owner and GET /opportunities/:id/prediction × 50;
 * - REST, the lean variant: list with include=account_name + GET /predict/predictions (no factors,
 *   no owner names).
 *
 *   npx tsx bench/graphql/graphql.bench.ts          (BENCH_RUNS default 200, BENCH_NO_APPEND=1)
 */

import { startTestServer } from '../../server/test/harness.js';
import { dropTemplate, prepareTemplate } from '../../server/test/test-database.js';
import { appendSection, markdownTable, ms, percentile } from '../crm/lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const ACCOUNTS = 20;
const OPPS = 50;

const QUERY = `{ opportunities(first: 50, sort: UPDATED_AT_DESC) { nodes { id name amount stage
  account { id name industry } owner { id name }
  latestPrediction { probability method modelVersion topFactors { feature label contribution } } } } }`;

async function main() {
  await prepareTemplate();
  const t = await startTestServer();
  try {
    const token = t.tenantA.tokens.admin;
    const accountIds: string[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const r = await t.request('POST', '/api/v1/accounts', {
        token,
        body: { name: `Account ${i}`, industry: 'retail' },
      });
      accountIds.push(r.json().id);
    }
    const owners = [t.tenantA.userIds.rep, t.tenantA.userIds.manager, t.tenantA.userIds.presales];
    for (let i = 0; i < OPPS; i++)
      await t.request('POST', '/api/v1/opportunities', {
        token,
        body: {
          name: `Deal ${i}`,
          account_id: accountIds[i % ACCOUNTS],
          amount: 1000 * (i + 1),
          expected_close_date: '2026-12-31',
          owner_id: owners[i % owners.length],
        },
      });

    const graphql = async () => {
      const r = await t.request('POST', '/graphql', { token, body: { query: QUERY } });
      const n = r.json().data.opportunities.nodes.length;
      if (n !== OPPS) throw new Error(`graphql returned ${n}`);
    };
    const restFull = async () => {
      const list = (
        await t.request('GET', '/api/v1/opportunities?limit=50&sort=-updated_at', { token })
      ).json().data as {
        id: string;
        account_id: string;
        owner_id: string;
      }[];
      for (const id of new Set(list.map((o) => o.account_id)))
        await t.request('GET', `/api/v1/accounts/${id}`, { token });
      for (const id of new Set(list.map((o) => o.owner_id)))
        await t.request('GET', `/api/v1/users/${id}`, { token });
      for (const o of list) await t.request('GET', `/api/v1/opportunities/${o.id}/prediction`, { token });
    };
    const restLean = async () => {
      await t.request('GET', '/api/v1/opportunities?limit=50&sort=-updated_at&include=account_name', {
        token,
      });
      await t.request('GET', '/api/v1/predict/predictions', { token });
    };

    const rows: (string | number)[][] = [];
    for (const [name, fn, calls] of [
      ['GraphQL (1 request)', graphql, '1'],
      [`REST, same data`, restFull, `1 + ${ACCOUNTS} + ${owners.length} + ${OPPS}`],
      ['REST, lean (account name + probability only)', restLean, '2'],
    ] as const) {
      for (let i = 0; i < 10; i++) await fn(); // warm-up (also scores every deal once)
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        await fn();
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      rows.push([name, calls, ms(percentile(times, 50)), ms(percentile(times, 99))]);
    }
    const db = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    const table = markdownTable(['variant', 'HTTP requests', 'p50', 'p99'], rows);
    console.log(table);
    if (process.env.BENCH_NO_APPEND !== '1')
      appendSection(
        `GraphQL: 50 opportunities with account, owner and latest prediction vs REST (${db})`,
        'npx tsx bench/graphql/graphql.bench.ts',
        `${RUNS} sequential runs per variant after 10 warm-ups, in-process HTTP injection, ${ACCOUNTS} accounts, ${OPPS} opportunities, ${owners.length} owners.\n\n${table}`,
      );
  } finally {
    await t.close();
    await dropTemplate();
  }
}

await main();

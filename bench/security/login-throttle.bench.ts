/**
 * Login throttling and timing (issue 8, item 4), on the real server (test harness on PGlite, default
 * limits from the configuration): 200 wrong passwords for one account from one address, 200 wrong
 * passwords for 200 different emails from one address, and the median time of an unknown email vs
 * a wrong password (each from its own address, so the throttle does not interfere). Prints a table
 * and appends it to BENCHMARKS.md.
 * Usage: npx tsx bench/security/login-throttle.bench.ts [--tries 200] [--timing 20] (at most 4 wrong passwords per account, below the lock)
 */
import { parseArgs } from 'node:util';
import { PASSWORD, startTestServer } from '../../server/test/harness.js';
import { dropTemplate, prepareTemplate } from '../../server/test/test-database.js';
import { appendSection, markdownTable, ms, percentile } from '../crm/lib.js';

const { values } = parseArgs({
  options: { tries: { type: 'string', default: '200' }, timing: { type: 'string', default: '20' } },
});
const TRIES = Number(values.tries);
const TIMING = Number(values.timing);

process.env.DATABASE_URL = '';
await prepareTemplate();
const t = await startTestServer();
const config = t.server.platform.config.login;
const login = (email: string, password: string, ip: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress: ip,
  });
const repEmail = (await t.request('GET', '/api/v1/me', { token: t.tenantA.tokens.rep })).json()
  .email as string;

/** Status counts, in order of first appearance, and the Retry-After of the first 429. */
async function series(send: (i: number) => ReturnType<typeof login>) {
  const counts = new Map<number, number>();
  let retryAfter = '';
  const t0 = performance.now();
  for (let i = 0; i < TRIES; i++) {
    const res = await send(i);
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1);
    if (res.statusCode === 429 && !retryAfter) retryAfter = String(res.headers['retry-after']);
  }
  return {
    counts: [...counts].map(([s, n]) => `${n} × ${s}`).join(', '),
    retryAfter,
    seconds: (performance.now() - t0) / 1000,
  };
}

const oneAccount = await series(() => login(repEmail, 'wrong-password', '10.9.0.1'));
// The right password while locked: still 429 (the lock does not tell whether the guess was right).
const whileLocked = (await login(repEmail, PASSWORD, '10.9.0.1')).statusCode;
const manyAccounts = await series((i) => login(`nobody.${i}@example.com`, 'wrong-password', '10.9.0.2'));

async function median(send: (i: number) => ReturnType<typeof login>) {
  const times: number[] = [];
  for (let i = 0; i < TIMING; i++) {
    const t0 = performance.now();
    await send(i);
    times.push(performance.now() - t0);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}
// Each probe from its own address and a fresh account name / a different real account, below the limits.
const unknown = await median((i) => login(`unknown.${i}@example.com`, 'wrong-password', `10.8.${i}.1`));
const roles = ['manager', 'presales', 'csm', 'marketing', 'coach'] as const;
const emails = await Promise.all(
  roles.map(
    async (r) =>
      (await t.request('GET', '/api/v1/me', { token: t.tenantA.tokens[r] })).json().email as string,
  ),
);
const wrong = await median((i) => login(emails[i % emails.length], 'wrong-password', `10.7.${i}.1`));
await t.close();
await dropTemplate();

const table = markdownTable(
  ['probe', 'answers', 'first Retry-After', 'time'],
  [
    [
      `${TRIES} wrong passwords, one account, one IP`,
      oneAccount.counts,
      `${oneAccount.retryAfter} s`,
      `${oneAccount.seconds.toFixed(2)} s`,
    ],
    ['then the right password for that account', `${whileLocked}`, '', ''],
    [
      `${TRIES} wrong passwords, ${TRIES} emails, one IP`,
      manyAccounts.counts,
      `${manyAccounts.retryAfter} s`,
      `${manyAccounts.seconds.toFixed(2)} s`,
    ],
    [`median of ${TIMING}: unknown email`, '401', '', ms(unknown)],
    [`median of ${TIMING}: wrong password (real account)`, '401', '', ms(wrong)],
  ],
);
const body = `Limits: ${config.maxFailuresPerAccount} failures per account, ${config.maxFailuresPerIp} per IP, window ${config.windowSeconds} s; lock 1 min doubling to 1 h. PGlite, in-process requests (Fastify inject, one address per probe where stated).\n\n${table}\n\nUnknown-email / wrong-password time ratio: ${(unknown / wrong).toFixed(2)} (1.00 = no timing difference; before this issue 3.7 ms vs 17.6 ms).\n`;
console.log(body);
appendSection('Login throttle and timing (PGlite)', 'npx tsx bench/security/login-throttle.bench.ts', body);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { type SmtpCatcher, startSmtpCatcher } from '../../../test/smtp-catcher.js';
import { portalPersonalData, settlePortalMail } from './sovereignty-portal.service.js';

let t: TestServer;
let catcher: SmtpCatcher;
let ipSeq = 1;

/** Each test signs in from its own client address (the per-address limit is not what it tests). */
const nextIp = () => `10.0.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

interface Res {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
  json: () => any;
}

async function call(
  method: string,
  url: string,
  opts: { body?: unknown; cookie?: string; ip?: string; lang?: string; token?: string; host?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (opts.host) headers.host = opts.host;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.lang) headers['accept-language'] = opts.lang;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    payload: opts.body as object | undefined,
    remoteAddress: opts.ip ?? '127.0.0.1',
  });
  return Object.assign(res, { json: () => JSON.parse(res.body) }) as unknown as Res;
}

/** The zs_portal cookie a response set, as a Cookie header value. */
function portalCookie(res: Res): string {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : [String(raw ?? '')];
  const c = all.find((s) => s.startsWith('zs_portal='));
  if (!c) throw new Error(`no portal cookie in ${JSON.stringify(raw)}`);
  return c.split(';')[0];
}

const codeOf = (text: string) => {
  const m = /^\s+(\d{6})\s*$/m.exec(text);
  if (!m) throw new Error(`no code in mail: ${text}`);
  return m[1];
};
const tokenOf = (text: string) => {
  const m = /\/portal\/verify\?token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!m) throw new Error(`no link in mail: ${text}`);
  return decodeURIComponent(m[1]);
};

async function createContact(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.request('POST', '/api/v1/contacts', { token, body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

/** Asks for a code as `email` and signs in with it; returns the portal cookie and the verify answer. */
async function signIn(email: string, lang = 'zh-CN') {
  // Tests sign the same people in many times: start the 15-minute window of requests over.
  await settlePortalMail(t.server.platform);
  await t.server.platform.database.query(`delete from portal_logins`);
  const ip = nextIp();
  const before = catcher.mails.length;
  const r = await call('POST', '/api/v1/portal/login', { body: { email }, ip, lang });
  expect(r.statusCode, r.body).toBe(202);
  const mail = await catcher.waitFor(email, (m) => catcher.mails.indexOf(m) >= before);
  const v = await call('POST', '/api/v1/portal/verify', {
    body: { email, code: codeOf(mail.text) },
    ip,
    lang,
  });
  expect(v.statusCode, v.body).toBe(200);
  return { cookie: portalCookie(v), session: v.json(), mail };
}

let wangId: string;

beforeAll(async () => {
  catcher = await startSmtpCatcher();
  t = await startTestServer({ mail: { smtpUrl: catcher.url, from: 'Zhongshu <no-reply@zhongshu.test>' } });
  const a = t.tenantA.tokens.admin;
  const acc = await t.request('POST', '/api/v1/accounts', {
    token: a,
    body: { name: '华东电力设备有限公司' },
  });
  expect(acc.statusCode, acc.body).toBe(201);
  wangId = await createContact(a, {
    name: '王建国',
    emails: ['wang.jianguo@huadong.test'],
    title: '采购经理',
    account_id: acc.json().id,
  });
  await createContact(a, { name: '李敏', emails: ['li.min@both.test'], phones: ['13800000001'] });
  await createContact(t.tenantB.tokens.admin, {
    name: 'Min Li (globex)',
    emails: ['li.min@both.test'],
    title: 'CTO at globex',
  });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await catcher?.close();
});

describe('portal sign-in', () => {
  it('a contact receives a 6-digit code and a link in Chinese, signs in with the code and sees their record', async () => {
    const { cookie, session, mail } = await signIn('Wang.Jianguo@huadong.test');
    expect(mail.subject).toContain('登录验证码');
    expect(mail.text).toContain('尊敬的王建国，您好');
    expect(mail.text).toContain('10 分钟内有效');
    expect(session.selected).toMatchObject({ tenant_id: t.tenantA.id, contact_name: '王建国' });
    expect(session.organisations).toHaveLength(1);

    const profile = await call('GET', '/api/v1/portal/me/profile', { cookie });
    expect(profile.statusCode, profile.body).toBe(200);
    const fields = Object.fromEntries(profile.json().items.map((f: any) => [f.key, f]));
    expect(fields.name.value).toBe('王建国');
    expect(fields.title.value).toBe('采购经理');
    expect(fields.account.value).toBe('华东电力设备有限公司');
    expect(fields.title.lineage).toMatchObject({ actor_type: 'user', actor_name: 'admin acme' });
    expect(fields.emails.policy).toBe('request');
    expect(fields.title.policy).toBe('direct');
  });

  it('the cookie is HttpOnly, SameSite=Strict, scoped to the portal API; logout ends the session', async () => {
    const ip = nextIp();
    await call('POST', '/api/v1/portal/login', { body: { email: 'wang.jianguo@huadong.test' }, ip });
    const mail = await catcher.waitFor('wang.jianguo@huadong.test', (m) =>
      m.subject.startsWith('Your sign-in code'),
    );
    expect(mail.text).toContain('Hello 王建国');
    const v = await call('POST', '/api/v1/portal/verify', {
      body: { email: 'wang.jianguo@huadong.test', code: codeOf(mail.text) },
      ip,
    });
    expect(v.statusCode, v.body).toBe(200);
    const raw = String(
      ([] as unknown[]).concat(v.headers['set-cookie']).find((c) => String(c).startsWith('zs_portal=')),
    );
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Strict/i);
    expect(raw).toMatch(/Path=\/api\/v1\/portal/);
    const cookie = portalCookie(v);
    expect((await call('GET', '/api/v1/portal/session', { cookie })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/portal/logout', { cookie })).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/portal/session', { cookie })).statusCode).toBe(401);
  });

  it('the emailed link signs in once; used again it is refused', async () => {
    const ip = nextIp();
    const before = catcher.mails.length;
    await call('POST', '/api/v1/portal/login', {
      body: { email: 'wang.jianguo@huadong.test' },
      ip,
      lang: 'zh-CN',
    });
    const mail = await catcher.waitFor(
      'wang.jianguo@huadong.test',
      (m) => catcher.mails.indexOf(m) >= before,
    );
    const token = tokenOf(mail.text);
    const v = await call('POST', '/api/v1/portal/verify', { body: { token }, ip });
    expect(v.statusCode, v.body).toBe(200);
    expect(v.json().selected.contact_name).toBe('王建国');
    const again = await call('POST', '/api/v1/portal/verify', { body: { token }, ip, lang: 'zh-CN' });
    expect(again.statusCode).toBe(400);
    // The code of the same mail was consumed with the link.
    const code = await call('POST', '/api/v1/portal/verify', {
      body: { email: 'wang.jianguo@huadong.test', code: codeOf(mail.text) },
      ip,
    });
    expect(code.statusCode).toBe(400);
  });

  it('with ZHONGSHU_PUBLIC_URL the link names that address, whatever Host the request claims', async () => {
    const config = t.server.platform.config;
    config.publicUrl = 'https://crm.example.cn';
    try {
      const before = catcher.mails.length;
      await call('POST', '/api/v1/portal/login', {
        body: { email: 'wang.jianguo@huadong.test' },
        ip: nextIp(),
        host: 'evil.example.com',
      });
      const mail = await catcher.waitFor(
        'wang.jianguo@huadong.test',
        (m) => catcher.mails.indexOf(m) >= before,
      );
      expect(mail.text).toContain('https://crm.example.cn/portal/verify?token=');
      expect(mail.text).not.toContain('evil.example.com');
    } finally {
      config.publicUrl = undefined;
    }
  });

  it('an unknown address gets the same answer (status, body, timing) and no mail', async () => {
    const known = 'li.min@both.test';
    // Warm up both paths once.
    await call('POST', '/api/v1/portal/login', { body: { email: 'warm-up@nobody.test' }, ip: nextIp() });
    await settlePortalMail(t.server.platform);
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    let knownRes: Res | undefined;
    let unknownRes: Res | undefined;
    for (let i = 0; i < 4; i++) {
      let s = performance.now();
      knownRes = await call('POST', '/api/v1/portal/login', { body: { email: known }, ip: nextIp() });
      knownTimes.push(performance.now() - s);
      await settlePortalMail(t.server.platform);
      s = performance.now();
      unknownRes = await call('POST', '/api/v1/portal/login', {
        body: { email: `nobody${i}@nowhere.test` },
        ip: nextIp(),
      });
      unknownTimes.push(performance.now() - s);
      await settlePortalMail(t.server.platform);
    }
    expect(knownRes?.statusCode).toBe(202);
    expect(unknownRes?.statusCode).toBe(202);
    expect(unknownRes?.body).toBe(knownRes?.body);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // The lookup and the mail happen after the answer: a known address answers no slower.
    expect(Math.abs(median(knownTimes) - median(unknownTimes))).toBeLessThan(40);
    await t.settle();
    expect(catcher.mails.filter((m) => m.to.includes('nowhere.test'))).toHaveLength(0);
    expect(catcher.mails.filter((m) => m.to === known).length).toBeGreaterThanOrEqual(4);
  });

  it('a wrong code five times locks the request, even for the right code; unknown addresses answer the same', async () => {
    const email = 'wang.jianguo@huadong.test';
    const ip = nextIp();
    const before = catcher.mails.length;
    await call('POST', '/api/v1/portal/login', { body: { email }, ip });
    const mail = await catcher.waitFor(email, (m) => catcher.mails.indexOf(m) >= before);
    const right = codeOf(mail.text);
    const wrong = right === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await call('POST', '/api/v1/portal/verify', { body: { email, code: wrong }, ip })).statusCode,
      );
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const locked = await call('POST', '/api/v1/portal/verify', {
      body: { email, code: right },
      ip,
      lang: 'zh-CN',
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().errors[0]).toMatchObject({ field: 'code' });

    const nobody = 'ghost@nowhere.test';
    await call('POST', '/api/v1/portal/login', { body: { email: nobody }, ip });
    const ghost: number[] = [];
    for (let i = 0; i < 5; i++)
      ghost.push(
        (await call('POST', '/api/v1/portal/verify', { body: { email: nobody, code: wrong }, ip }))
          .statusCode,
      );
    expect(ghost).toEqual(statuses);
  });

  it('ten wrong codes in a day lock the address for the day across new requests, unknown addresses alike', async () => {
    const run = async (email: string) => {
      await settlePortalMail(t.server.platform);
      await t.server.platform.database.query(`delete from portal_logins`);
      const out: number[] = [];
      let last = '';
      for (let round = 0; round < 3; round++) {
        const before = catcher.mails.length;
        const ip = nextIp();
        const r = await call('POST', '/api/v1/portal/login', { body: { email }, ip });
        expect(r.statusCode).toBe(202);
        await settlePortalMail(t.server.platform);
        last = email.startsWith('ghost')
          ? ''
          : codeOf((await catcher.waitFor(email, (m) => catcher.mails.indexOf(m) >= before)).text);
        const wrong = last === '000000' ? '111111' : '000000';
        for (let i = 0; i < 4; i++)
          out.push(
            (await call('POST', '/api/v1/portal/verify', { body: { email, code: wrong }, ip: nextIp() }))
              .statusCode,
          );
      }
      // 12 wrong codes over three requests: from the 10th the address is locked, even for the right code.
      const right = await call('POST', '/api/v1/portal/verify', {
        body: { email, code: last || '123456' },
        ip: nextIp(),
      });
      out.push(right.statusCode);
      return out;
    };
    const known = await run('wang.jianguo@huadong.test');
    expect(known).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400, 429, 429, 429, 429]);
    expect(await run('ghost-daily@nowhere.test')).toEqual(known);
    await t.server.platform.database.query(`delete from portal_logins`);
  });

  it('when the per-address request limit is hit, the code already sent still signs in', async () => {
    const email = 'wang.jianguo@huadong.test';
    await settlePortalMail(t.server.platform);
    await t.server.platform.database.query(`delete from portal_logins`);
    let code = '';
    for (let i = 0; i < 5; i++) {
      const before = catcher.mails.length;
      expect((await call('POST', '/api/v1/portal/login', { body: { email }, ip: nextIp() })).statusCode).toBe(
        202,
      );
      await settlePortalMail(t.server.platform);
      code = codeOf((await catcher.waitFor(email, (m) => catcher.mails.indexOf(m) >= before)).text);
    }
    const refused = await call('POST', '/api/v1/portal/login', { body: { email }, ip: nextIp() });
    expect(refused.statusCode).toBe(429);
    await settlePortalMail(t.server.platform);
    const v = await call('POST', '/api/v1/portal/verify', { body: { email, code }, ip: nextIp() });
    expect(v.statusCode, v.body).toBe(200);
    await t.server.platform.database.query(`delete from portal_logins`);
  });

  it('a code older than 10 minutes is refused', async () => {
    const email = 'li.min@both.test';
    const ip = nextIp();
    await settlePortalMail(t.server.platform);
    const before = catcher.mails.length;
    // Earlier tests used up this address's requests for the window: start that window over.
    await t.server.platform.database.query(`delete from portal_logins`);
    await call('POST', '/api/v1/portal/login', { body: { email }, ip });
    const mail = await catcher.waitFor(email, (m) => catcher.mails.indexOf(m) >= before);
    await t.server.platform.database.query(
      `update portal_logins set expires_at = now() - interval '1 second', created_at = now() - interval '11 minutes' where consumed_at is null`,
    );
    const v = await call('POST', '/api/v1/portal/verify', { body: { email, code: codeOf(mail.text) }, ip });
    expect(v.statusCode).toBe(400);
    expect(v.json().errors[0].field).toBe('code');
  });

  it('more than 5 requests for one address in 15 minutes are refused, known or not alike', async () => {
    await t.server.platform.database.query(`delete from portal_logins`);
    const statuses = async (email: string) => {
      const out: number[] = [];
      for (let i = 0; i < 6; i++)
        out.push((await call('POST', '/api/v1/portal/login', { body: { email }, ip: nextIp() })).statusCode);
      return out;
    };
    const known = await statuses('wang.jianguo@huadong.test');
    const unknown = await statuses('nobody-at-all@nowhere.test');
    expect(known).toEqual([202, 202, 202, 202, 202, 429]);
    const refused = await call('POST', '/api/v1/portal/login', {
      body: { email: 'wang.jianguo@huadong.test' },
      ip: nextIp(),
      lang: 'zh-CN',
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().detail).toBe('登录请求过于频繁，请稍等几分钟后再重新获取验证码');
    expect(unknown).toEqual(known);
    // …and per client address: 30 requests, whatever the addresses.
    const ip = nextIp();
    const perIp: number[] = [];
    for (let i = 0; i < 31; i++)
      perIp.push(
        (await call('POST', '/api/v1/portal/login', { body: { email: `x${i}@nowhere.test` }, ip }))
          .statusCode,
      );
    expect(perIp.slice(0, 30).every((s) => s === 202)).toBe(true);
    expect(perIp[30]).toBe(429);
    await settlePortalMail(t.server.platform);
    await t.server.platform.database.query(`delete from portal_logins`);
  });
});

describe('portal sessions are short', () => {
  it('end after 30 minutes idle and after 8 hours whatever the activity', async () => {
    const db = t.server.platform.database;
    const idle = await signIn('wang.jianguo@huadong.test');
    expect((await call('GET', '/api/v1/portal/session', { cookie: idle.cookie })).statusCode).toBe(200);
    await db.query(
      `update portal_sessions set last_seen_at = now() - interval '31 minutes' where ended_at is null`,
    );
    expect((await call('GET', '/api/v1/portal/session', { cookie: idle.cookie })).statusCode).toBe(401);

    const long = await signIn('wang.jianguo@huadong.test');
    await db.query(
      `update portal_sessions set expires_at = now() - interval '1 second' where ended_at is null and last_seen_at > now() - interval '1 minute'`,
    );
    const r = await call('GET', '/api/v1/portal/me/profile', { cookie: long.cookie, lang: 'zh-CN' });
    expect(r.statusCode).toBe(401);
    expect(r.json().detail).toBe('您的登录已失效，请用邮箱重新登录');
  });

  it('refuses a sign-in posted from another site', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/portal/login',
      headers: { origin: 'https://evil.example', host: 'localhost:80' },
      payload: { email: 'wang.jianguo@huadong.test' },
    });
    expect(r.statusCode).toBe(403);
  });
});

describe('portal and staff sessions never mix', () => {
  it('a portal session cannot reach staff routes, staff credentials cannot reach portal routes', async () => {
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    // Portal cookie on staff routes (sent as it would be, and also as if it were the staff cookie).
    expect((await call('GET', '/api/v1/contacts', { cookie })).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/auth/me', { cookie })).statusCode).toBe(401);
    const portalToken = cookie.split('=')[1];
    expect((await call('GET', '/api/v1/contacts', { cookie: `zs_session=${portalToken}` })).statusCode).toBe(
      401,
    );
    expect((await call('GET', '/api/v1/contacts', { token: portalToken })).statusCode).toBe(401);
    // Staff bearer and staff cookie on portal routes.
    const staff = t.tenantA.tokens.admin;
    for (const url of ['/api/v1/portal/session', '/api/v1/portal/me/profile', '/api/v1/portal/me/requests']) {
      expect((await call('GET', url, { token: staff })).statusCode, url).toBe(401);
      expect((await call('GET', url, { cookie: `zs_session=${staff}` })).statusCode, url).toBe(401);
      expect((await call('GET', url, { cookie: `zs_portal=${staff}` })).statusCode, url).toBe(401);
    }
    const put = await call('POST', '/api/v1/portal/me/corrections', {
      token: staff,
      body: { field: 'title', value: 'hijacked' },
    });
    expect(put.statusCode).toBe(401);
  });

  it('documents the portal routes in the OpenAPI document as taking no staff credential', async () => {
    const doc = (await call('GET', '/openapi.json')).json();
    const portal = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1/portal/'));
    expect(portal.length).toBeGreaterThanOrEqual(14);
    for (const p of portal)
      for (const op of Object.values(doc.paths[p]) as {
        security?: unknown;
        tags?: string[];
        summary?: string;
      }[]) {
        expect(op.security, p).toEqual([]);
        expect(op.tags).toEqual(['Customer portal']);
        expect(op.summary).toBeTruthy();
      }
  });
});

describe('a contact of two organisations', () => {
  it('chooses the organisation after signing in and only ever sees that one’s data', async () => {
    await t.server.platform.database.query(`delete from portal_logins`);
    const { cookie, session, mail } = await signIn('li.min@both.test');
    expect(mail.text).not.toContain('尊敬的李敏，您好'); // two records: no single name to greet
    expect(session.selected).toBeNull();
    expect(session.organisations.map((o: any) => o.tenant_id).sort()).toEqual(
      [t.tenantA.id, t.tenantB.id].sort(),
    );
    const early = await call('GET', '/api/v1/portal/me/profile', { cookie });
    expect(early.statusCode).toBe(409);

    const orgs = await call('GET', '/api/v1/portal/organisations', { cookie });
    expect(orgs.json().items).toHaveLength(2);
    const foreign = await call('POST', `/api/v1/portal/organisations/${crypto.randomUUID()}/select`, {
      cookie,
    });
    expect(foreign.statusCode).toBe(404);

    const pickB = await call('POST', `/api/v1/portal/organisations/${t.tenantB.id}/select`, { cookie });
    expect(pickB.statusCode, pickB.body).toBe(200);
    expect(pickB.json().selected.contact_name).toBe('Min Li (globex)');
    const b = await call('GET', '/api/v1/portal/me/profile', { cookie });
    const bFields = Object.fromEntries(b.json().items.map((f: any) => [f.key, f.value]));
    expect(bFields.name).toBe('Min Li (globex)');
    expect(bFields.title).toBe('CTO at globex');
    expect(b.body).not.toContain('李敏');
    expect(b.body).not.toContain('13800000001');

    const pickA = await call('POST', `/api/v1/portal/organisations/${t.tenantA.id}/select`, { cookie });
    expect(pickA.json().selected.contact_name).toBe('李敏');
    const a = await call('GET', '/api/v1/portal/me/profile', { cookie });
    expect(a.body).toContain('13800000001');
    expect(a.body).not.toContain('globex');
  });
});

describe('corrections', () => {
  it('a direct correction goes through the CRM and shows in staff lineage as the customer through the portal', async () => {
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    const r = await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'title', value: '采购总监' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ applied: true, case: null });
    const staff = await t.request('GET', `/api/v1/contacts/${wangId}`, { token: t.tenantA.tokens.admin });
    expect(staff.json().title).toBe('采购总监');
    const lineage = await t.request('GET', `/api/v1/contacts/${wangId}/lineage`, {
      token: t.tenantA.tokens.admin,
    });
    const title = lineage.json().data.find((l: any) => l.field === 'title');
    expect(title).toMatchObject({
      actor_type: 'customer',
      source: 'portal',
      actor_name: '王建国',
      value: '采购总监',
    });

    const lang = await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'preferred_language', value: 'en' },
    });
    expect(lang.statusCode, lang.body).toBe(200);
    const profile = await call('GET', '/api/v1/portal/me/profile', { cookie });
    const fields = Object.fromEntries(profile.json().items.map((f: any) => [f.key, f]));
    expect(fields.preferred_language.value).toBe('en');
    expect(fields.title.lineage).toMatchObject({ actor_type: 'customer', source: 'portal' });

    const bad = await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'name', value: '   ' },
      lang: 'zh-CN',
    });
    expect(bad.statusCode).toBe(422);
  });

  it('a correction of the e-mail or company becomes a rectification request the person sees with its due date', async () => {
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    const r = await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'emails', value: 'jianguo.wang@huadong.test', note: '换了新邮箱' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().applied).toBe(false);
    const caseId = r.json().case.id;
    // Nothing changed yet: staff check first.
    const staff = await t.request('GET', `/api/v1/contacts/${wangId}`, { token: t.tenantA.tokens.admin });
    expect(staff.json().emails).toEqual(['wang.jianguo@huadong.test']);

    const company = await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'account', value: '华东电力集团' },
    });
    expect(company.statusCode, company.body).toBe(200);
    expect(company.json().applied).toBe(false);

    const reqs = await call('GET', '/api/v1/portal/me/requests', { cookie });
    expect(reqs.statusCode, reqs.body).toBe(200);
    const mine = reqs.json().items.find((c: any) => c.id === caseId);
    expect(mine).toMatchObject({ kind: 'rectification', channel: 'portal', state: 'in_progress' });
    expect(mine.payload).toMatchObject({ field: 'emails', value: ['jianguo.wang@huadong.test'] });
    expect(Date.parse(mine.due_at)).toBeGreaterThan(Date.now());
    // The other tenant's staff never see it; this tenant's staff do.
    const staffCase = await t.request('GET', `/api/v1/privacy/cases/${caseId}`, {
      token: t.tenantA.tokens.admin,
    });
    expect(staffCase.statusCode, staffCase.body).toBe(200);
    const other = await t.request('GET', `/api/v1/privacy/cases/${caseId}`, {
      token: t.tenantB.tokens.admin,
    });
    expect(other.statusCode).toBe(404);
  });

  it('asks for deletion in one step: an erasure request on the legal clock', async () => {
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    const refused = await call('POST', '/api/v1/portal/me/erasure', { cookie, body: {} });
    expect(refused.statusCode).toBe(400);
    const r = await call('POST', '/api/v1/portal/me/erasure', { cookie, body: { confirm: true } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ kind: 'erasure', channel: 'portal', state: 'in_progress' });
    const reqs = await call('GET', '/api/v1/portal/me/requests', { cookie });
    expect(reqs.json().items.some((c: any) => c.kind === 'erasure')).toBe(true);
  });
});

describe('what a person sees is only theirs (review item 1)', () => {
  it('renaming themself "an" / "客户" shows no one else’s records; their e-mail in a note does; the phone is a request', async () => {
    const a = t.tenantA.tokens.admin;
    const zhaoId = await createContact(a, {
      name: '赵小文',
      emails: ['zhao.xiaowen@huadong.test'],
      phones: ['+86 139 0000 1234'],
    });
    const otherId = await createContact(a, { name: '钱客户', emails: ['qian@huadong.test'] });
    const post = async (body: Record<string, unknown>) => {
      const r = await t.request('POST', '/api/v1/activities', { token: a, body });
      expect(r.statusCode, r.body).toBe(201);
    };
    const at = '2026-03-03T10:00:00+08:00';
    await post({ type: 'meeting', subject: '赵小文参加的评审会', contact_ids: [zhaoId], occurred_at: at });
    await post({
      type: 'note',
      subject: '客户来信',
      body: 'reply to zhao.xiaowen@huadong.test',
      occurred_at: at,
    });
    await post({ type: 'call', subject: '回电', body: '请拨 13900001234', occurred_at: at });
    await post({
      type: 'meeting',
      subject: '客户 annual plan with Dan',
      contact_ids: [otherId],
      occurred_at: at,
    });
    await post({ type: 'note', subject: '大客户 planning', body: 'an account note', occurred_at: at });

    const { cookie } = await signIn('zhao.xiaowen@huadong.test');
    for (const [field, value] of [
      ['name_en', 'an'],
      ['name', '客户'],
    ]) {
      const r = await call('POST', '/api/v1/portal/me/corrections', { cookie, body: { field, value } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().applied).toBe(true);
    }
    const data = await call('GET', '/api/v1/portal/me/data?limit=500', { cookie });
    expect(data.statusCode, data.body).toBe(200);
    const acts = (data.json().sections as any[]).find((x) => x.kind === 'activities');
    const titles = acts.records.map((r: any) => r.title).sort();
    expect(titles).toEqual(['回电', '客户来信', '赵小文参加的评审会'].sort());
    expect(acts.total).toBe(3);
    expect(data.body).not.toContain('annual plan');
    expect(data.body).not.toContain('大客户 planning');

    // The phone decides what matches the person: staff check a change first.
    const phone = await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'phones', value: '13800000001' },
    });
    expect(phone.statusCode, phone.body).toBe(200);
    expect(phone.json().applied).toBe(false);
    const staff = await t.request('GET', `/api/v1/contacts/${zhaoId}`, { token: a });
    expect(staff.json().phones).toEqual(['+86 139 0000 1234']);
  });
});

describe('consents', () => {
  it('lists the purposes and records a withdrawal with the portal as the channel', async () => {
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    const list = await call('GET', '/api/v1/portal/me/consents', { cookie });
    expect(list.statusCode, list.body).toBe(200);
    const purposes = list.json().items.map((i: any) => i.purpose);
    expect(purposes).toContain('profiling');
    const r = await call('PUT', '/api/v1/portal/me/consents/profiling', { cookie, body: { granted: false } });
    expect(r.statusCode, r.body).toBe(200);
    const profiling = r.json().items.find((i: any) => i.purpose === 'profiling');
    expect(profiling).toMatchObject({
      granted: false,
      basis: 'recorded',
      channel: 'portal',
      actor_name: '王建国',
    });
  });
});

describe('seeing and exporting everything', () => {
  it('shows the data of every module with lineage, and the other organisation’s never', async () => {
    const a = t.tenantA.tokens.admin;
    const act = await t.request('POST', '/api/v1/activities', {
      token: a,
      body: {
        type: 'meeting',
        subject: '季度采购评审会',
        contact_ids: [wangId],
        occurred_at: '2026-03-02T10:00:00+08:00',
      },
    });
    expect(act.statusCode, act.body).toBe(201);
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    const r = await call('GET', '/api/v1/portal/me/data', { cookie });
    expect(r.statusCode, r.body).toBe(200);
    const sections = r.json().sections as any[];
    const kinds = sections.map((s) => s.kind);
    expect(kinds).toContain('activities');
    const activities = sections.find((s) => s.kind === 'activities');
    const rec = activities.records.find((x: any) => x.title.includes('季度采购评审会'));
    expect(rec).toBeTruthy();
    expect(rec.fields.some((f: any) => f.lineage.length > 0 && f.lineage[0].at)).toBe(true);
    expect(r.body).not.toContain('globex');
  });

  it('exports everything as a zip the person downloads; another person cannot fetch it', async () => {
    const { cookie } = await signIn('wang.jianguo@huadong.test');
    const start = await call('POST', '/api/v1/portal/me/exports', { cookie });
    expect(start.statusCode, start.body).toBe(202);
    const id = start.json().id;
    let status = start.json();
    for (let i = 0; i < 100 && status.status !== 'done' && status.status !== 'failed'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      status = (await call('GET', `/api/v1/portal/me/exports/${id}`, { cookie })).json();
    }
    expect(status.status, JSON.stringify(status)).toBe('done');
    expect(status.progress.done).toBe(status.progress.total);
    const file = await call('GET', `/api/v1/portal/me/exports/${id}/file`, { cookie });
    expect(file.statusCode).toBe(200);
    expect(String(file.headers['content-type'])).toContain('application/zip');
    expect(String(file.headers['content-disposition'])).toMatch(/attachment; filename=".+\.zip"/);
    expect(file.body.slice(0, 2)).toBe('PK');

    await t.server.platform.database.query(`delete from portal_logins`);
    const other = await signIn('li.min@both.test');
    await call('POST', `/api/v1/portal/organisations/${t.tenantA.id}/select`, { cookie: other.cookie });
    const stolen = await call('GET', `/api/v1/portal/me/exports/${id}/file`, { cookie: other.cookie });
    expect(stolen.statusCode).toBe(404);
    const peek = await call('GET', `/api/v1/portal/me/exports/${id}`, { cookie: other.cookie });
    expect(peek.statusCode).toBe(404);
  });
});

describe('the portal’s own personal data', () => {
  it('is collected, and erased with the person (preference, sign-ins, sessions): the session stops working', async () => {
    await createContact(t.tenantA.tokens.admin, { name: '赵磊', emails: ['zhao.lei@erase.test'] });
    const { cookie } = await signIn('zhao.lei@erase.test');
    await call('POST', '/api/v1/portal/me/corrections', {
      cookie,
      body: { field: 'preferred_language', value: 'zh-CN' },
    });
    const session = await call('GET', '/api/v1/portal/session', { cookie });
    const contactId = (
      await t.request('GET', '/api/v1/contacts?q=赵磊', { token: t.tenantA.tokens.admin })
    ).json().data[0].id as string;
    expect(session.statusCode).toBe(200);
    const subject = {
      tenantId: t.tenantA.id,
      contactId,
      emails: ['zhao.lei@erase.test'],
      phones: [],
      names: ['赵磊'],
    };
    const db = t.server.platform.database;
    const held = await db.tenantTx(t.tenantA.id, (tx) =>
      portalPersonalData.collect(tx, subject, { limit: 10 }),
    );
    expect(held[0].records[0].fields[0]).toMatchObject({ key: 'preferred_language', value: 'zh-CN' });
    const outcome = await db.tenantTx(t.tenantA.id, (tx) =>
      portalPersonalData.erase(tx, subject, { erasureId: 'x' }),
    );
    expect(outcome).toEqual([
      { table: 'portal_preferences', action: 'deleted', rows: 1 },
      { table: 'portal_sessions', action: 'deleted', rows: 1 },
      { table: 'portal_logins', action: 'deleted', rows: 1 },
    ]);
    expect((await call('GET', '/api/v1/portal/session', { cookie })).statusCode).toBe(401);
    const left = await db.query<{ n: number }>(
      `select (select count(*) from portal_preferences where contact_id = $1)::int
            + (select count(*) from portal_sessions where candidates::text like '%' || $1 || '%')::int
            + (select count(*) from portal_logins where candidates::text like '%' || $1 || '%')::int as n`,
      [contactId],
    );
    expect(left.rows[0].n).toBe(0);
  });
});

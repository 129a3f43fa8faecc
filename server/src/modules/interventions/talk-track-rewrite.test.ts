import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { loadConfig } from '../../platform/config.js';

/**
 * A local stand-in for an OpenAI-compatible endpoint (POST /v1/chat/completions), so the real
 * client, prompt, timeout and write path run end to end.
 */
interface FakeLlm {
  url: string;
  mode: 'reply' | 'error500' | 'hang';
  reply: string;
  requests: { headers: IncomingMessage['headers']; body: any; answered: boolean }[];
  close(): Promise<void>;
}

async function startFakeLlm(): Promise<FakeLlm> {
  const hanging: ServerResponse[] = [];
  const fake: FakeLlm = {
    url: '',
    mode: 'reply',
    reply: '',
    requests: [],
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const entry = { headers: req.headers, body: JSON.parse(raw), answered: false };
    fake.requests.push(entry);
    if (fake.mode === 'hang') {
      hanging.push(res); // never answers: the client's timeout has to end it
      return;
    }
    entry.answered = true;
    if (fake.mode === 'error500') {
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'model overloaded', type: 'server_error' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${fake.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: entry.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: fake.reply }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 100, completion_tokens: 40, total_tokens: 140 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

const MODEL = 'fake-chat-1';
// Generous enough that a loaded CI machine never times out a prompt answer (a timed-out first try
// would be retried and counted twice); the hanging case simply waits this long, twice.
const TIMEOUT_MS = 3000;
let llm: FakeLlm;
let t: TestServer;

beforeAll(async () => {
  llm = await startFakeLlm();
  t = await startTestServer({
    llm: { baseUrl: llm.url, apiKey: 'sk-test', model: MODEL, timeoutMs: TIMEOUT_MS },
    // The fake endpoint listens on loopback, which the outbound client refuses unless allowed.
    outbound: { allow: ['127.0.0.1'] },
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await llm?.close();
});

async function accountWithTender(server: TestServer, name: string, owner?: string) {
  const admin = server.tenantA.tokens.admin;
  const a = await server.request('POST', '/api/v1/accounts', {
    token: admin,
    body: { name, industry: '新能源', ...(owner ? { owner_id: owner } : {}) },
  });
  expect(a.statusCode, a.body).toBe(201);
  const accountId = a.json().id as string;
  const s = await server.request('POST', '/api/v1/signals', {
    token: admin,
    body: {
      type: 'tender_notice',
      source: 'test',
      occurred_at: new Date().toISOString(),
      subject: { account_id: accountId },
      // Contact details in a payload must never reach the endpoint.
      payload: { title: '储能项目招标', budget: 5e6, contact_email: 'li.lei@example.com', contact: '李雷' },
    },
  });
  expect(s.statusCode, s.body).toBe(202);
  return accountId;
}

/** The account's bundle right after the relay handled the signal (the rewrite may still be running). */
async function bundleOf(server: TestServer, accountId: string) {
  await server.server.platform.bus.settle();
  const r = await server.request('GET', `/api/v1/interventions?owner_id=any&account_id=${accountId}`, {
    token: server.tenantA.tokens.manager,
  });
  expect(r.statusCode, r.body).toBe(200);
  expect(r.json().data).toHaveLength(1);
  return r.json().data[0];
}

async function reread(server: TestServer, id: string) {
  const r = await server.request('GET', `/api/v1/interventions/${id}`, {
    token: server.tenantA.tokens.manager,
  });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

const untilOrigin = (server: TestServer, id: string) =>
  vi.waitFor(
    async () => {
      const b = await reread(server, id);
      expect(b.resources.talk_track).toBeDefined();
      return b;
    },
    { timeout: 20_000, interval: 100 },
  );

describe('talk-track rewrite by an OpenAI-compatible endpoint', () => {
  it('replaces the talk track with the rewrite, keeps the template, and says where it came from', async () => {
    llm.mode = 'reply';
    llm.reply = '华能储能刚发布储能项目招标，建议今天联系对方确认需求制定参与情况，并预约投标前澄清会。';
    const before = llm.requests.length;
    const accountId = await accountWithTender(t, '华能储能科技有限公司');
    const created = await bundleOf(t, accountId);
    // The rewrite runs off the bus and may already be done when the bundle is first read: the
    // template is then the text kept in resources.talk_track.
    const template = (created.resources?.talk_track?.template_text ?? created.talk_track) as string;
    expect(template).toContain('华能储能科技有限公司 发布招标「储能项目招标」');

    const b = await untilOrigin(t, created.id);
    expect(b.talk_track).toBe(llm.reply);
    expect(b.resources.talk_track).toMatchObject({ source: 'llm', template_text: template, model: MODEL });
    expect(Date.parse(b.resources.talk_track.rewritten_at)).not.toBeNaN();
    expect(b.resources.cases).toEqual(['同类项目中标案例']); // the resource package is untouched
    expect(b.evidence.signal_ids).toEqual(created.evidence.signal_ids);

    expect(llm.requests.length).toBe(before + 1);
    const req = llm.requests.at(-1)!;
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body.model).toBe(MODEL);
    const [system, user] = req.body.messages;
    expect(system.role).toBe('system');
    expect(system.content).toContain('绝不编造数字');
    expect(system.content).toContain('never invent numbers');
    expect(system.content).toContain('简体中文 (zh-CN)'); // nobody chose another language
    expect(user.role).toBe('user');
    expect(user.content).toContain(template);
    expect(user.content).toContain('华能储能科技有限公司（新能源）');
    expect(user.content).toContain('"count":{"tender_notice":1}');
    const sent = JSON.stringify(req.body);
    expect(sent).not.toContain('li.lei@example.com');
    expect(sent).not.toContain('李雷');

    // Provenance: the same audit trail as any other change, by the system, method llm:<model>.
    const { rows } = await t.server.platform.database.query<any>(
      `select actor_type, method, changes from change_log
        where entity = 'interventions' and entity_id = $1 and action = 'update'`,
      [created.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_type: 'system', method: `llm:${MODEL}` });
    expect(rows[0].changes.talk_track).toEqual({ old: template, new: llm.reply });
  });

  it('writes in the owner’s language', async () => {
    llm.mode = 'reply';
    llm.reply = 'Call them today about the tender and book the pre-bid clarification meeting.';
    const rep = t.tenantA.userIds.rep;
    const p = await t.request('PATCH', `/api/v1/users/${rep}`, {
      token: t.tenantA.tokens.admin,
      body: { locale: 'en' },
    });
    expect(p.statusCode, p.body).toBe(200);
    const accountId = await accountWithTender(t, 'Contoso Energy', rep);
    const created = await bundleOf(t, accountId);
    expect(created.owner_id).toBe(rep);
    const b = await untilOrigin(t, created.id);
    expect(b.resources.talk_track.source).toBe('llm');
    expect(llm.requests.at(-1)!.body.messages[0].content).toContain('Answer in English (en)');
  });

  it('keeps the template and records the error when the endpoint answers 500', async () => {
    llm.mode = 'error500';
    const before = llm.requests.length;
    const accountId = await accountWithTender(t, '远景能源');
    const created = await bundleOf(t, accountId);
    const b = await untilOrigin(t, created.id);
    expect(b.talk_track).toBe(created.talk_track);
    expect(b.resources.talk_track).toMatchObject({
      source: 'template',
      template_text: created.talk_track,
      model: MODEL,
    });
    expect(b.resources.talk_track.llm_error).toBe('HTTP 500: model overloaded');
    expect(llm.requests.length - before).toBe(2); // one retry, no more
  });

  it('never waits for a hanging endpoint: the bundle is there at once, the template stays after the timeout', async () => {
    llm.mode = 'hang';
    const before = llm.requests.length;
    const accountId = await accountWithTender(t, '天合光能');
    const created = await bundleOf(t, accountId);
    // Visible with its template while the endpoint has not answered anything.
    await vi.waitFor(() => expect(llm.requests.length).toBeGreaterThan(before), { timeout: 5_000 });
    expect(llm.requests.slice(before).every((r) => !r.answered)).toBe(true);
    expect(created.resources.talk_track).toBeUndefined();
    expect(created.talk_track).toContain('天合光能 发布招标');

    const b = await untilOrigin(t, created.id);
    expect(b.talk_track).toBe(created.talk_track);
    expect(b.resources.talk_track).toMatchObject({
      source: 'template',
      llm_error: `timeout after ${TIMEOUT_MS} ms`,
    });
  });

  it('rejects empty and overlong output', async () => {
    llm.mode = 'reply';
    llm.reply = '   ';
    const empty = await bundleOf(t, await accountWithTender(t, '阳光电源'));
    const e = await untilOrigin(t, empty.id);
    expect(e.talk_track).toBe(empty.talk_track);
    expect(e.resources.talk_track.llm_error).toBe('empty output');

    llm.reply = '很长的话术。'.repeat(200);
    const long = await bundleOf(t, await accountWithTender(t, '隆基绿能'));
    const l = await untilOrigin(t, long.id);
    expect(l.talk_track).toBe(long.talk_track);
    expect(l.resources.talk_track.llm_error).toMatch(/^output too long \(1200 > 600 characters\)$/);
  });
});

describe('without an endpoint', () => {
  let off: TestServer;
  beforeAll(async () => {
    // Model set but no base URL: the feature stays off.
    const { llm: llmConfig } = loadConfig({ ZHONGSHU_LLM_MODEL: MODEL, ZHONGSHU_LLM_API_KEY: 'sk-test' });
    expect(llmConfig).toBeNull();
    off = await startTestServer({ llm: llmConfig });
  }, 120_000);
  afterAll(async () => {
    await off?.close();
  });

  it('makes no request and leaves the template as it is', async () => {
    llm.mode = 'reply';
    llm.reply = '不应出现的改写';
    const before = llm.requests.length;
    const created = await bundleOf(off, await accountWithTender(off, '宁德时代'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const b = await reread(off, created.id);
    expect(b.talk_track).toBe(created.talk_track);
    expect(b.resources.talk_track).toBeUndefined();
    expect(llm.requests.length).toBe(before);
  });
});

describe('an endpoint on an address the allow-list does not name', () => {
  let strict: TestServer;
  beforeAll(async () => {
    // Same loopback endpoint, no ZHONGSHU_OUTBOUND_ALLOW: the outbound client refuses it.
    strict = await startTestServer({
      llm: { baseUrl: llm.url, apiKey: 'sk-test', model: MODEL, timeoutMs: TIMEOUT_MS },
      outbound: { allow: [] },
    });
  }, 120_000);
  afterAll(async () => {
    await strict?.close();
  });

  it('sends nothing there and keeps the template, saying why and how to allow it', async () => {
    llm.mode = 'reply';
    llm.reply = '不应出现的改写';
    const before = llm.requests.length;
    const created = await bundleOf(strict, await accountWithTender(strict, '比亚迪'));
    const b = await untilOrigin(strict, created.id);
    expect(b.talk_track).toBe(created.talk_track);
    expect(b.resources.talk_track.source).toBe('template');
    expect(b.resources.talk_track.llm_error).toMatch(
      /^outbound request to http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions refused: 127\.0\.0\.1 is a loopback address .*ZHONGSHU_OUTBOUND_ALLOW/,
    );
    expect(b.resources.talk_track.llm_error).not.toContain('sk-test');
    expect(llm.requests.length).toBe(before);
  });
});

describe('configuration', () => {
  it('needs a model name with a base URL, and a real URL', () => {
    expect(() => loadConfig({ ZHONGSHU_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(
      /ZHONGSHU_LLM_MODEL/,
    );
    expect(() => loadConfig({ ZHONGSHU_LLM_BASE_URL: 'not a url', ZHONGSHU_LLM_MODEL: 'm' })).toThrow(
      /ZHONGSHU_LLM_BASE_URL/,
    );
    expect(() => loadConfig({ ZHONGSHU_LLM_TIMEOUT_MS: '10' })).toThrow(/ZHONGSHU_LLM_TIMEOUT_MS/);
    expect(
      loadConfig({
        ZHONGSHU_LLM_BASE_URL: 'https://api.deepseek.com/v1',
        ZHONGSHU_LLM_MODEL: 'deepseek-chat',
      }).llm,
    ).toEqual({
      baseUrl: 'https://api.deepseek.com/v1',
      apiKey: undefined,
      model: 'deepseek-chat',
      timeoutMs: 8000,
    });
  });
});

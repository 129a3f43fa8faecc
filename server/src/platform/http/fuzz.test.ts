import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
import { operationsOf } from './fuzz-engine.js';
import { runFuzz } from './fuzz-target.js';

// The fast, seeded subset of the API fuzzer (the full run, ≥ 50 variants per route, is
// bench/security/fuzz.bench.ts). FUZZ_PER_ROUTE / FUZZ_SEED change it for a local run.
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_301);

describe('API fuzzer (every route in /openapi.json, malformed input)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  }, 120_000);
  afterAll(async () => t?.close());

  it(`answers every malformed request below 500 and a rejected one writes nothing (${PER_ROUTE} per route)`, async () => {
    const run = await runFuzz(t, { perRoute: PER_ROUTE, seed: SEED });
    const report = run.findings
      .slice(0, 20)
      .map(
        (f) =>
          `${f.kind}: ${f.status} ${f.method} ${f.url.slice(0, 160)} [${f.variant}]${f.rowDelta ? ` rows ${f.rowDelta > 0 ? '+' : ''}${f.rowDelta}` : ''}\n    → ${f.response.slice(0, 300)}`,
      );
    expect(report).toEqual([]);
    expect(run.routes).toBeGreaterThan(100);
    expect(run.requests).toBe(run.routes * PER_ROUTE);
    // Most variants must be refused, not silently accepted.
    expect(run.rejected).toBeGreaterThan(run.requests / 2);
  }, 900_000);

  it('refuses the probes that answered 500 before (sort=__proto__, q=%00, NUL in a body) on every route, with 400', async () => {
    const doc = (await t.request('GET', '/openapi.json')).json();
    const ops = operationsOf(doc).filter((op) => op.path !== '/api/v1/live');
    const token = t.tenantA.tokens.admin;
    const id = '00000000-0000-4000-8000-000000000000';
    const failures: string[] = [];
    let probed = 0;
    for (const op of ops) {
      const path = op.pathParams.reduce((p, name) => p.replace(`{${name}}`, id), op.path);
      const probes: { url: string; body?: string }[] = [];
      for (const q of ['sort', 'q'])
        if (op.query.some((p) => p.name === q)) {
          probes.push({ url: `${path}?${q}=%00` });
          if (q === 'sort')
            probes.push({ url: `${path}?sort=__proto__` }, { url: `${path}?sort=-constructor` });
        }
      if (op.body)
        probes.push({ url: path, body: String.raw`{"name":"a\u0000b","email":"x\u0000@example.com"}` });
      for (const probe of probes) {
        probed++;
        const res = await t.app.inject({
          method: op.method as any,
          url: probe.url,
          headers: {
            authorization: `Bearer ${token}`,
            ...(probe.body ? { 'content-type': 'application/json' } : {}),
          },
          payload: probe.body,
        });
        if (res.statusCode !== 400)
          failures.push(
            `${res.statusCode} ${op.method} ${probe.url} ${probe.body ?? ''} → ${res.body.slice(0, 200)}`,
          );
      }
    }
    expect(failures).toEqual([]);
    expect(probed).toBeGreaterThan(60);
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.js';
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
});

import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/test-database.js';
import type { Database } from '../db/database.js';
import { loggerOptions, maskSecrets } from './log-redact.js';

const HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$hUeY3jbvv0mgxmQPOS2MFpSmqpb4OKmaBqxuYZ4Xi6c';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = 'zs_key_Q1c2V3J0eXVpb3Bhc2RmZ2hqa2w';
const SESSION = 'zs_sess_bG9naW4tc2Vzc2lvbi10b2tlbg';

/** A pino logger with the app's options, writing lines into an array. */
function capture(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino(loggerOptions(level), stream), lines };
}

describe('log redaction', () => {
  let database: Database;
  let cleanup: () => Promise<void>;
  let failed: Error;
  beforeAll(async () => {
    ({ database, cleanup } = await openTestDatabase());
    // A real failed query whose parameters hold a password hash and a webhook secret.
    failed = await database
      .systemTx((tx) => tx.execute(sql`select ${HASH}::int as a, ${WHSEC}::int as b, ${KEY} as c`))
      .then(
        () => new Error('expected the query to fail'),
        (err: Error) => err,
      );
  }, 120_000);
  afterAll(async () => cleanup?.());

  it('the failed query really carries the secrets (what would leak)', () => {
    expect(failed.message).toMatch(/^Failed query/);
    expect(`${failed.message} ${JSON.stringify((failed as any).params)}`).toContain(HASH);
  });

  it('logs a failed query without its parameters and without any secret', () => {
    const { log, lines } = capture('info');
    log.error({ err: failed }, 'unhandled error');
    log.warn(failed.message);
    expect(lines).toHaveLength(2);
    const all = lines.join('\n');
    for (const secret of [HASH, WHSEC, KEY, 'c29tZXNhbHRzb21lc2FsdA', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])
      expect(all).not.toContain(secret);
    const entry = JSON.parse(lines[0]);
    expect(entry.err.message).toMatch(/^Failed query: select \$1::int/);
    expect(entry.err.message).toContain('params: [not logged]');
    expect(entry.err.params).toBeUndefined();
    // The database's own reason stays, for the person reading the log.
    expect(all).toMatch(/invalid input syntax for type integer/);
  });

  it('keeps parameters at LOG_LEVEL=trace, still with secrets masked', () => {
    const { log, lines } = capture('trace');
    log.error({ err: failed }, 'unhandled error');
    const entry = JSON.parse(lines[0]);
    expect(entry.err.params).toBeDefined();
    expect(lines[0]).not.toContain(HASH);
    expect(lines[0]).not.toContain(WHSEC);
    expect(lines[0]).toContain('$argon2id$[redacted]');
  });

  it('redacts credentials in headers and secret-named fields, and tokens in URLs', () => {
    const { log, lines } = capture('info');
    log.info({ req: { method: 'GET', url: `/api/v1/live?token=${SESSION}`, headers: {} } }, 'request');
    log.info({ headers: { authorization: `Bearer ${KEY}`, cookie: `zs_session=${SESSION}` } }, 'headers');
    log.info({ source: { webhook_secret: WHSEC, password: 'hunter2hunter2' } }, 'row');
    const all = lines.join('\n');
    for (const secret of [SESSION, KEY, WHSEC, 'hunter2hunter2']) expect(all).not.toContain(secret);
    expect(maskSecrets(`key ${KEY} and ${WHSEC}`)).toBe('key zs_key_[redacted] and whsec_[redacted]');
  });
});

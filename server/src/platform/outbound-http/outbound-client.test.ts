import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundClient, type OutboundOptions } from './outbound-client.js';
import {
  OutboundBlockedError,
  OutboundConnectionError,
  OutboundTimeoutError,
  OutboundTooLargeError,
} from './outbound-errors.js';

/** A local stand-in for "another system": records what reached it, answers by path. */
interface Seen {
  host: string | undefined;
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let port: number;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ host: req.headers.host, method: req.method, url: req.url, headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://x');
      const to = url.searchParams.get('to');
      switch (url.pathname) {
        case '/ok':
          res.end('hello');
          return;
        case '/redirect':
          res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: to ?? '/ok' });
          res.end();
          return;
        case '/loop':
          res.writeHead(302, { location: '/loop' });
          res.end();
          return;
        case '/big': {
          // 2 MiB in 64 KiB chunks, no content-length (chunked).
          const chunk = Buffer.alloc(64 * 1024, 120);
          let n = 0;
          const write = () => {
            while (n < 32) {
              n++;
              if (!res.write(chunk)) return void res.once('drain', write);
            }
            res.end();
          };
          write();
          return;
        }
        case '/declared-big':
          res.writeHead(200, { 'content-length': String(5 * 1024 * 1024) });
          res.write('x');
          return; // never finishes: the client must refuse on the header alone
        case '/hang':
          return; // never answers
        case '/slow-body':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first part;');
          return; // the rest never comes
        default:
          res.statusCode = 404;
          res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Test DNS: these names resolve to the local server (as an attacker's DNS could make them). */
const fakeDns: OutboundOptions['resolve'] = async (hostname) => {
  if (hostname.replace(/\.$/, '').endsWith('.test')) return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'dual.example')
    return [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

async function refusal(p: Promise<unknown>): Promise<OutboundBlockedError> {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(OutboundBlockedError);
  return err as OutboundBlockedError;
}

describe('outbound client: which addresses', () => {
  it('refuses loopback by default, and sends nothing there', async () => {
    const client = createOutboundClient();
    const before = seen.length;
    const err = await refusal(client.fetch(`http://127.0.0.1:${port}/ok`));
    expect(err.reason).toBe('loopback');
    expect(err.message).toContain('ZHONGSHU_OUTBOUND_ALLOW');
    expect(seen.length).toBe(before);
    await client.close();
  });

  it('reaches a loopback server the allow-list names (by address or by CIDR)', async () => {
    for (const allow of [['127.0.0.1'], ['127.0.0.0/8'], ['10.0.0.0/8', ' 127.0.0.0/24 ']]) {
      const client = createOutboundClient({ allow });
      const res = await client.fetch(`http://127.0.0.1:${port}/ok`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello');
      await client.close();
    }
    const other = createOutboundClient({ allow: ['10.0.0.0/8', '::1'] });
    expect((await refusal(other.fetch(`http://127.0.0.1:${port}/ok`))).reason).toBe('loopback');
    await other.close();
  });

  it('refuses private, link-local, metadata, unspecified and multicast addresses, IPv4 and IPv6', async () => {
    const client = createOutboundClient();
    const cases: [string, string][] = [
      ['http://10.1.2.3/', 'private'],
      ['http://172.16.0.1/', 'private'],
      ['http://192.168.1.1/', 'private'],
      ['http://100.64.0.1/', 'carrier-grade-nat'],
      ['http://169.254.1.1/', 'link-local'],
      ['http://169.254.169.254/latest/meta-data/', 'metadata'],
      ['http://[fd00:ec2::254]/', 'metadata'],
      ['http://metadata.google.internal/computeMetadata/v1/', 'metadata'],
      ['http://0.0.0.0/', 'unspecified'],
      ['http://[::]/', 'unspecified'],
      ['http://224.0.0.1/', 'multicast'],
      ['http://[ff02::1]/', 'multicast'],
      [`http://[::1]:${port}/ok`, 'loopback'],
      [`http://[::ffff:127.0.0.1]:${port}/ok`, 'loopback'],
      ['http://[::ffff:169.254.169.254]/', 'metadata'],
      ['http://[::ffff:10.0.0.1]/', 'private'],
      ['http://[fe80::1]/', 'link-local'],
      ['http://[fc00::1]/', 'unique-local'],
      // Other spellings of 127.0.0.1 that URL parsing turns into it.
      [`http://2130706433:${port}/ok`, 'loopback'],
      [`http://0x7f.1:${port}/ok`, 'loopback'],
    ];
    for (const [url, reason] of cases) {
      const err = await refusal(client.fetch(url));
      expect({ url, reason: err.reason }).toEqual({ url, reason });
    }
    await client.close();
  });

  it('allows IPv4-mapped IPv6 when the IPv4 address is allowed', async () => {
    const client = createOutboundClient({ allow: ['127.0.0.1'] });
    // Connecting to ::ffff:127.0.0.1 needs a dual-stack socket; what matters is that it is not refused.
    const res = await client.fetch(`http://[::ffff:127.0.0.1]:${port}/ok`).catch((e) => e);
    expect(res).not.toBeInstanceOf(OutboundBlockedError);
    await client.close();
  });

  it('refuses a name that resolves to loopback (localhost, or a DNS name pointing there)', async () => {
    const sys = createOutboundClient();
    const err = await refusal(sys.fetch(`http://localhost:${port}/ok`));
    expect(err.reason).toBe('loopback');
    expect(err.target).toMatch(/^localhost \((127\.0\.0\.1|::1)\)$/);
    await sys.close();

    const client = createOutboundClient({ resolve: fakeDns });
    const before = seen.length;
    expect((await refusal(client.fetch(`http://rebind.test:${port}/ok`))).reason).toBe('loopback');
    // Any one resolved address in a blocked range refuses the name.
    expect((await refusal(client.fetch(`http://dual.example:${port}/ok`))).reason).toBe('loopback');
    expect(seen.length).toBe(before);
    await client.close();
  });

  it('an allow-listed host name may resolve to a private address', async () => {
    const client = createOutboundClient({ resolve: fakeDns, allow: ['llm.internal.test'] });
    const res = await client.fetch(`http://LLM.internal.test.:${port}/ok`);
    expect(await res.text()).toBe('hello');
    expect((await refusal(client.fetch(`http://other.test:${port}/ok`))).reason).toBe('loopback');
    await client.close();
  });

  it('refuses other schemes and URLs with credentials in them', async () => {
    const client = createOutboundClient({ allow: ['127.0.0.1'] });
    expect((await refusal(client.fetch('file:///etc/passwd'))).reason).toBe('scheme');
    expect((await refusal(client.fetch('ftp://example.com/'))).reason).toBe('scheme');
    const err = await refusal(client.fetch(`http://admin:hunter2@127.0.0.1:${port}/ok`));
    expect(err.reason).toBe('credentials-in-url');
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('hunter2');
    await client.close();
  });
});

describe('outbound client: redirects', () => {
  // public.test is an allowed name for the local server; 127.0.0.1 itself is not allowed.
  const opts: OutboundOptions = { resolve: fakeDns, allow: ['public.test', 'other-origin.test'] };
  const base = () => `http://public.test:${port}`;

  it('follows a redirect to an allowed place, and checks every hop', async () => {
    const client = createOutboundClient(opts);
    const res = await client.fetch(`${base()}/redirect?to=/ok`);
    expect(await res.text()).toBe('hello');

    const before = seen.length;
    const toLoopback = await refusal(
      client.fetch(`${base()}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${port}/ok`)}`),
    );
    expect(toLoopback.reason).toBe('loopback');
    const toMetadata = await refusal(
      client.fetch(`${base()}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`),
    );
    expect(toMetadata.reason).toBe('metadata');
    const toName = await refusal(
      client.fetch(`${base()}/redirect?status=307&to=${encodeURIComponent(`http://sneaky.test:${port}/ok`)}`),
    );
    expect(toName.reason).toBe('loopback');
    // Only the redirecting hops reached the server; the refused targets got nothing.
    expect(seen.slice(before).map((s) => s.url?.split('?')[0])).toEqual([
      '/redirect',
      '/redirect',
      '/redirect',
    ]);
    await client.close();
  });

  it('stops after the redirect limit', async () => {
    const client = createOutboundClient(opts);
    const before = seen.length;
    const err = await refusal(client.fetch(`${base()}/loop`, { maxRedirects: 3 }));
    expect(err.reason).toBe('too-many-redirects');
    expect(seen.length - before).toBe(4);
    await client.close();
  });

  it('drops credentials when a redirect changes origin, keeps them on the same origin', async () => {
    const client = createOutboundClient(opts);
    const secretHeaders = { authorization: 'Bearer sk-secret', cookie: 'sid=abc', 'x-trace': 't1' };
    let before = seen.length;
    await client.fetch(`${base()}/redirect?to=/ok`, { headers: secretHeaders });
    expect(seen[before + 1].headers).toMatchObject({ authorization: 'Bearer sk-secret', cookie: 'sid=abc' });

    before = seen.length;
    const to = encodeURIComponent(`http://other-origin.test:${port}/ok`);
    const res = await client.fetch(`${base()}/redirect?to=${to}`, { headers: secretHeaders });
    expect(await res.text()).toBe('hello');
    const hop = seen[before + 1];
    expect(hop.host).toBe(`other-origin.test:${port}`);
    expect(hop.headers.authorization).toBeUndefined();
    expect(hop.headers.cookie).toBeUndefined();
    expect(hop.headers['x-trace']).toBe('t1');
    await client.close();
  });

  it('turns POST into GET on 303, keeps method and body on 307', async () => {
    const client = createOutboundClient(opts);
    let before = seen.length;
    await client.fetch(`${base()}/redirect?status=303&to=/ok`, { method: 'POST', body: '{"a":1}' });
    expect(seen[before + 1]).toMatchObject({ method: 'GET', body: '' });
    before = seen.length;
    await client.fetch(`${base()}/redirect?status=307&to=/ok`, { method: 'POST', body: '{"a":1}' });
    expect(seen[before + 1]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    await client.close();
  });

  it("returns the 3xx itself with redirect: 'manual'", async () => {
    const client = createOutboundClient(opts);
    const res = await client.fetch(`${base()}/redirect?to=/ok`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/ok');
    await client.close();
  });
});

describe('outbound client: size caps and timeouts', () => {
  const opts: OutboundOptions = { allow: ['127.0.0.1'] };

  it('fails the read past the size cap, and refuses a declared length over it', async () => {
    const client = createOutboundClient(opts);
    const res = await client.fetch(`http://127.0.0.1:${port}/big`, { maxBytes: 1024 * 1024 });
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toBeInstanceOf(OutboundTooLargeError);
    const whole = await client.fetch(`http://127.0.0.1:${port}/big`, { maxBytes: 4 * 1024 * 1024 });
    expect((await whole.arrayBuffer()).byteLength).toBe(2 * 1024 * 1024);
    await expect(
      client.fetch(`http://127.0.0.1:${port}/declared-big`, { maxBytes: 1024 * 1024 }),
    ).rejects.toBeInstanceOf(OutboundTooLargeError);
    await client.close();
  });

  it('times out a server that never answers, and a body that never ends', async () => {
    const client = createOutboundClient(opts);
    const t0 = Date.now();
    const err = await client.fetch(`http://127.0.0.1:${port}/hang`, { timeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(OutboundTimeoutError);
    expect(err.message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);

    const res = await client.fetch(`http://127.0.0.1:${port}/slow-body`, { timeoutMs: 300 });
    await expect(res.text()).rejects.toBeInstanceOf(OutboundTimeoutError);
    await client.close();
  });

  it("passes the caller's abort on as the caller's reason", async () => {
    const client = createOutboundClient(opts);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await client.fetch(`http://127.0.0.1:${port}/hang`, { signal: ac.signal }).catch((e) => e);
    expect(err.name).toBe('AbortError');
    await client.close();
  });

  it('reports a refused connection without the query string or headers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = createOutboundClient(opts);
    const err = await client
      .fetch(`http://127.0.0.1:${deadPort}/hook?token=sk-live-123`, {
        headers: { authorization: 'Bearer sk-live-456' },
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OutboundConnectionError);
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.url).toBe(`http://127.0.0.1:${deadPort}/hook`);
    const logged = JSON.stringify({ ...err, message: err.message });
    expect(logged).not.toContain('sk-live');
    await client.close();
  });
});

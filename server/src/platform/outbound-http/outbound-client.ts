/**
 * The platform's one outbound HTTP client (SSRF-safe). Every request the server makes to another
 * system goes through `platform.outbound.fetch` (a WHATWG `fetch` with a few extra options).
 *
 * Guarantees:
 * - Only http: and https: URLs, without user info.
 * - The address checked is the address connected to: names are resolved by the socket's own
 *   `lookup` hook and every resolved address is checked there, and the socket's remote address is
 *   checked again once connected, before a byte of the request is written. A name that resolves to
 *   a public address at one moment and to 127.0.0.1 the next (DNS rebinding) is refused at the
 *   connection that would reach 127.0.0.1.
 * - Redirects are followed by hand (at most `maxRedirects`), each hop checked the same way; the
 *   Authorization, Cookie and Proxy-Authorization headers are dropped when a hop changes origin.
 * - A connect timeout, an overall timeout covering headers and body, and a response-size cap
 *   counted on the decoded body (the read fails with OutboundTooLargeError past the cap).
 * - Errors never carry headers, and their URL is origin + path only (see outbound-errors.ts).
 * - No proxy from the environment is used.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { Socket } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { prop } from '../narrow.js';
import { AllowList, type BlockReason, checkAddress, checkHost, normaliseHost } from './address-policy.js';
import {
  OutboundBlockedError,
  OutboundConnectionError,
  OutboundError,
  OutboundTimeoutError,
  OutboundTooLargeError,
  redactUrl,
} from './outbound-errors.js';

export interface OutboundOptions {
  /** Host names, addresses and CIDR ranges allowed although not public (ZHONGSHU_OUTBOUND_ALLOW). */
  allow?: readonly string[];
  /** Default 5 s. */
  connectTimeoutMs?: number;
  /** Default overall timeout per request, headers and body; 30 s. */
  timeoutMs?: number;
  /** Default response-size cap; 10 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** Name resolution (tests put their own here); default: the system resolver (dns.lookup). */
  resolve?: (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;
}

export interface OutboundRequestInit extends RequestInit {
  /** Overall timeout for this request, headers and body. */
  timeoutMs?: number;
  /** Largest decoded response body accepted, in bytes. */
  maxBytes?: number;
  maxRedirects?: number;
}

export type OutboundFetch = (input: string | URL | Request, init?: OutboundRequestInit) => Promise<Response>;

export interface OutboundClient {
  fetch: OutboundFetch;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

const DEFAULTS = { connectTimeoutMs: 5_000, timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024, maxRedirects: 5 };
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const CROSS_ORIGIN_DROPPED = ['authorization', 'cookie', 'proxy-authorization'];

/** Raised inside the connector, turned into OutboundBlockedError (with the request URL) by fetch. */
class BlockedConnection extends Error {
  constructor(
    readonly reason: BlockReason,
    readonly target: string,
  ) {
    super(`connection to ${target} refused: ${reason}`);
  }
}

const systemResolve = (hostname: string, family: 0 | 4 | 6) =>
  new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(hostname, { all: true, family }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

export function createOutboundClient(options: OutboundOptions = {}): OutboundClient {
  const allow = new AllowList(options.allow ?? []);
  const defaults = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
    maxRedirects: options.maxRedirects ?? DEFAULTS.maxRedirects,
  };
  const resolveName = options.resolve ?? systemResolve;

  // The socket's own name resolution: the addresses checked here are the ones it connects to.
  const guardedLookup = (
    hostname: string,
    opts: LookupOptions,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    const family = (opts?.family === 4 || opts?.family === 6 ? opts.family : 0) as 0 | 4 | 6;
    resolveName(hostname, family).then(
      (addresses) => {
        if (!addresses.length)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        for (const a of addresses) {
          const reason = checkAddress(allow, hostname, a.address);
          if (reason) return callback(new BlockedConnection(reason, `${hostname} (${a.address})`), []);
        }
        if (opts?.all) callback(null, addresses);
        else callback(null, addresses[0].address, addresses[0].family);
      },
      (err) => callback(err, []),
    );
  };

  const connectSocket = buildConnector({
    timeout: defaults.connectTimeoutMs,
    lookup: guardedLookup,
  } as never);
  const connector: buildConnector.connector = (opts, callback) => {
    const host = normaliseHost(opts.hostname);
    // IP literals never reach the lookup hook; metadata names are refused by name.
    const early = checkHost(allow, host);
    if (early) {
      queueMicrotask(() => callback(new BlockedConnection(early, host), null));
      return;
    }
    return connectSocket(opts, (err, socket) => {
      if (err || !socket) return callback(err, null);
      // The address really connected to, checked before anything is written on the socket.
      const remote = (socket as Socket).remoteAddress ?? '';
      const reason = checkAddress(allow, host, remote);
      if (reason) {
        socket.destroy();
        return callback(new BlockedConnection(reason, `${host} (${remote})`), null);
      }
      callback(null, socket);
    });
  };
  // No proxy (ProxyAgent / environment variables) is ever used: requests go from here to the target.
  const agent = new Agent({ connect: connector });

  async function outboundFetch(
    input: string | URL | Request,
    init: OutboundRequestInit = {},
  ): Promise<Response> {
    const {
      timeoutMs = defaults.timeoutMs,
      maxBytes = defaults.maxBytes,
      maxRedirects = defaults.maxRedirects,
      signal: callerSignal,
      redirect = 'follow',
      ...rest
    } = init;
    let url: URL;
    let method: string;
    let headers: Headers;
    let body: BodyInit | null | undefined = rest.body;
    try {
      url = new URL(input instanceof Request ? input.url : String(input));
    } catch {
      throw new OutboundBlockedError('(invalid URL)', 'scheme');
    }
    if (input instanceof Request) {
      method = rest.method ?? input.method;
      headers = new Headers(rest.headers ?? input.headers);
      if (body === undefined && input.body) body = await input.arrayBuffer();
    } else {
      method = (rest.method ?? 'GET').toUpperCase();
      headers = new Headers(rest.headers);
    }

    const ac = new AbortController();
    const timer = setTimeout(
      () => ac.abort(new OutboundTimeoutError(redactUrl(url), timeoutMs, 'overall')),
      timeoutMs,
    );
    timer.unref();
    const onCallerAbort = () => ac.abort(callerSignal?.reason);
    const done = () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    };
    if (callerSignal?.aborted) {
      done();
      throw callerSignal.reason;
    }
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

    try {
      for (let hop = 0; ; hop++) {
        const safeUrl = redactUrl(url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
          throw new OutboundBlockedError(safeUrl, 'scheme');
        if (url.username || url.password) throw new OutboundBlockedError(safeUrl, 'credentials-in-url');
        const early = checkHost(allow, url.hostname);
        if (early) throw new OutboundBlockedError(safeUrl, early, normaliseHost(url.hostname));

        const res = await undiciFetch(url, {
          ...(rest as object),
          method,
          headers: headers as never,
          body: body as never,
          redirect: 'manual',
          signal: ac.signal,
          dispatcher: agent,
          ...(body && typeof body === 'object' && 'getReader' in body ? { duplex: 'half' } : {}),
        } as never);

        const location = res.headers.get('location');
        if (!REDIRECTS.has(res.status) || !location || redirect === 'manual') {
          return limitBody(res, url, maxBytes, ac, done);
        }
        await res.body?.cancel().catch(() => {});
        if (redirect === 'error') throw new OutboundBlockedError(safeUrl, 'redirect-not-allowed');
        if (hop >= maxRedirects) throw new OutboundBlockedError(safeUrl, 'too-many-redirects');
        const next = new URL(location, url);
        if (next.origin !== url.origin) for (const h of CROSS_ORIGIN_DROPPED) headers.delete(h);
        if (
          res.status === 303
            ? method !== 'HEAD'
            : (res.status === 301 || res.status === 302) && method === 'POST'
        ) {
          method = 'GET';
          body = undefined;
          for (const h of [
            'content-type',
            'content-length',
            'content-encoding',
            'content-language',
            'content-location',
          ])
            headers.delete(h);
        } else if (body && typeof body === 'object' && 'getReader' in body) {
          throw new OutboundBlockedError(redactUrl(next), 'body-not-replayable');
        }
        url = next;
      }
    } catch (err) {
      done();
      throw toOutboundError(err, url, ac.signal, defaults.connectTimeoutMs);
    }
  }

  return {
    fetch: outboundFetch,
    close: () => agent.close(),
  };
}

/** Re-wraps the response with a counted body: past `maxBytes` the read fails and the download stops. */
function limitBody(
  res: Awaited<ReturnType<typeof undiciFetch>>,
  url: URL,
  maxBytes: number,
  ac: AbortController,
  done: () => void,
): Response {
  const headers = new Headers();
  for (const [k, v] of res.headers) headers.append(k, v);
  const init = { status: res.status, statusText: res.statusText, headers };
  const declared = Number(res.headers.get('content-length'));
  const tooLarge = () => new OutboundTooLargeError(redactUrl(url), maxBytes);
  if (!res.body || NULL_BODY.has(res.status)) {
    done();
    return new Response(null, init);
  }
  // content-length is the encoded size; refuse early only when it alone is over the cap.
  if (Number.isFinite(declared) && declared > maxBytes && !res.headers.get('content-encoding')) {
    const err = tooLarge();
    ac.abort(err);
    done();
    throw err;
  }
  let seen = 0;
  const source = res.body as unknown as ReadableStream<Uint8Array>;
  const reader = source.getReader();
  const counted = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: finished, value } = await reader.read();
        if (finished) {
          done();
          controller.close();
          return;
        }
        seen += value.byteLength;
        if (seen > maxBytes) {
          const err = tooLarge();
          ac.abort(err);
          done();
          controller.error(err);
          return;
        }
        controller.enqueue(value);
      } catch (err) {
        done();
        controller.error(toOutboundError(err, url, ac.signal, 0));
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  return new Response(counted, init);
}

function toOutboundError(err: unknown, url: URL, signal: AbortSignal, connectTimeoutMs: number): unknown {
  if (err instanceof OutboundError) return err;
  const safeUrl = redactUrl(url);
  // Our own timeout or size cap, or the caller's abort (passed on as the caller's reason).
  if (signal.aborted) return signal.reason instanceof OutboundError ? signal.reason : (signal.reason ?? err);
  let cause: unknown = err;
  for (let i = 0; i < 4 && cause && typeof cause === 'object'; i++) {
    if (cause instanceof BlockedConnection)
      return new OutboundBlockedError(safeUrl, cause.reason, cause.target);
    if (cause instanceof OutboundError) return cause;
    const causeCode = prop(cause, 'code');
    if (causeCode === 'UND_ERR_CONNECT_TIMEOUT')
      return new OutboundTimeoutError(safeUrl, connectTimeoutMs, 'connect');
    if (causeCode && cause !== err) break;
    const next = prop(cause, 'cause');
    if (!next) break;
    cause = next;
  }
  // Node's system errors (and undici's) carry a string code such as ECONNREFUSED.
  const code = prop(cause, 'code') as string | undefined;
  // System errors say e.g. "connect ECONNREFUSED 10.0.0.1:443": no URL path, no headers.
  const detail = code ? String(prop(cause, 'message') ?? code).slice(0, 200) : 'network error';
  return new OutboundConnectionError(safeUrl, code, detail);
}

import type { BlockReason } from './address-policy.js';

/**
 * Errors of the outbound client. Their messages and enumerable fields are safe to log: the URL is
 * reduced to origin + path (no user info, no query string, no fragment) and request or response
 * headers never appear.
 */

/** `https://user:pw@host/p?token=x#f` → `https://host/p` */
export function redactUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class OutboundError extends Error {
  constructor(
    message: string,
    /** origin + path of the request, no credentials or query */
    readonly url: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type OutboundBlockCode =
  | BlockReason
  | 'scheme'
  | 'credentials-in-url'
  | 'too-many-redirects'
  | 'redirect-not-allowed'
  | 'body-not-replayable';

const BLOCK_WORDS: Record<OutboundBlockCode, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  'carrier-grade-nat': 'a carrier-grade NAT address',
  'unique-local': 'a unique-local (private) IPv6 address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata endpoint',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  'not-public': 'not a public address',
  scheme: 'not an http(s) URL',
  'credentials-in-url': 'a URL with user name or password in it',
  'too-many-redirects': 'too many redirects',
  'redirect-not-allowed': 'a redirect, and redirects were not allowed',
  'body-not-replayable': 'a redirect that needs the request body again, which was a stream',
};

const ADDRESS_REASONS: Partial<Record<OutboundBlockCode, true>> = {
  loopback: true,
  private: true,
  'carrier-grade-nat': true,
  'unique-local': true,
  'link-local': true,
  metadata: true,
  unspecified: true,
  multicast: true,
  broadcast: true,
  reserved: true,
  'not-public': true,
};

/** The request was refused before anything was sent to the address concerned. */
export class OutboundBlockedError extends OutboundError {
  constructor(
    url: string,
    readonly reason: OutboundBlockCode,
    /** the host or address that was refused */
    readonly target?: string,
  ) {
    super(
      `outbound request to ${url} refused: ${target ? `${target} is ` : ''}${BLOCK_WORDS[reason]}${
        reason in ADDRESS_REASONS ? ' (an admin can allow it with ZHONGSHU_OUTBOUND_ALLOW)' : ''
      }`,
      url,
    );
  }
}

export class OutboundTimeoutError extends OutboundError {
  constructor(
    url: string,
    readonly timeoutMs: number,
    readonly phase: 'connect' | 'overall',
  ) {
    super(
      `outbound request to ${url} timed out after ${timeoutMs} ms${phase === 'connect' ? ' (connecting)' : ''}`,
      url,
    );
  }
}

export class OutboundTooLargeError extends OutboundError {
  constructor(
    url: string,
    readonly maxBytes: number,
  ) {
    super(`outbound response from ${url} is larger than ${maxBytes} bytes`, url);
  }
}

/** Connection refused, reset, TLS failure, … (`code` is the system or undici code). */
export class OutboundConnectionError extends OutboundError {
  constructor(
    url: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`outbound request to ${url} failed: ${detail}`, url);
  }
}

import ipaddr from 'ipaddr.js';

/**
 * Which addresses an outbound request may connect to.
 *
 * Only public unicast addresses are reachable by default. Everything else is refused: loopback,
 * private (RFC 1918, CGNAT 100.64/10, ULA fc00::/7), link-local (169.254/16, fe80::/10), the cloud
 * metadata endpoints (169.254.169.254, fd00:ec2::254, metadata.google.internal), unspecified,
 * multicast, broadcast, reserved and documentation ranges, and IPv6 forms that embed an IPv4
 * address (IPv4-mapped ::ffff:a.b.c.d is judged as the IPv4 address it maps to; NAT64, 6to4 and
 * Teredo are refused outright). An admin allow-list of host names, addresses and CIDR ranges opens
 * exactly what it names.
 */

/** Why an address was refused; `null` = allowed. */
export type BlockReason =
  | 'loopback'
  | 'private'
  | 'carrier-grade-nat'
  | 'unique-local'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'not-public';

const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog']);

const RANGE_REASONS: Record<string, BlockReason> = {
  loopback: 'loopback',
  private: 'private',
  carrierGradeNat: 'carrier-grade-nat',
  uniqueLocal: 'unique-local',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};

type Parsed = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses an address, unwrapping IPv4-mapped IPv6 (::ffff:127.0.0.1 → 127.0.0.1) and zone ids. */
export function parseAddress(address: string): Parsed | null {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return null;
  return ipaddr.process(bare);
}

export const isIpLiteral = (host: string): boolean => parseAddress(host) !== null;

/** Normalised host name as compared with the allow-list: lower case, no trailing dot, no brackets. */
export const normaliseHost = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');

/** The range an address falls in when it is not a public unicast address. */
export function classifyAddress(address: string): BlockReason | null {
  const parsed = parseAddress(address);
  if (!parsed) return 'not-public';
  if (METADATA_ADDRESSES.has(parsed.toString())) return 'metadata';
  const range = parsed.range();
  if (range === 'unicast') return null;
  return RANGE_REASONS[range] ?? 'not-public';
}

export function isBlockedHostName(host: string): BlockReason | null {
  return METADATA_HOSTS.has(normaliseHost(host)) ? 'metadata' : null;
}

/** The admin allow-list (ZHONGSHU_OUTBOUND_ALLOW): host names, single addresses and CIDR ranges. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges: [Parsed, number][] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      if (!entry) continue;
      if (entry.includes('/')) {
        const [addr, bits] = entry.split('/');
        const parsed = parseAddress(addr);
        const prefix = Number(bits);
        const max = parsed?.kind() === 'ipv4' ? 32 : 128;
        if (!parsed || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
          throw new Error(`outbound allow-list: "${entry}" is not a valid CIDR range`);
        this.ranges.push([parsed, prefix]);
      } else {
        const parsed = parseAddress(entry);
        if (parsed) this.ranges.push([parsed, parsed.kind() === 'ipv4' ? 32 : 128]);
        else this.hosts.add(normaliseHost(entry));
      }
    }
  }

  allowsHost(host: string): boolean {
    return this.hosts.has(normaliseHost(host));
  }

  allowsAddress(address: string): boolean {
    const parsed = parseAddress(address);
    if (!parsed) return false;
    return this.ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
  }
}

/** Why a connection to `address` (reached as `host`) is refused; `null` = go ahead. */
export function checkAddress(allow: AllowList, host: string, address: string): BlockReason | null {
  if (allow.allowsHost(host) || allow.allowsAddress(address)) return null;
  return classifyAddress(address);
}

/** Why a request to `host` is refused before any name is resolved (metadata names, IP literals). */
export function checkHost(allow: AllowList, host: string): BlockReason | null {
  if (allow.allowsHost(host)) return null;
  const named = isBlockedHostName(host);
  if (named) return named;
  return isIpLiteral(host) ? checkAddress(allow, host, normaliseHost(host)) : null;
}

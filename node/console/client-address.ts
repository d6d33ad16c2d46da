/**
 * The client address the console throttles failed logins by. It is the socket's peer address, as
 * @hono/node-server hands it to the app (`getConnInfo`); behind a reverse proxy (`trustProxy`) it is
 * the last X-Forwarded-For entry — the address the proxy itself saw, which a client cannot forge
 * (entries before it are whatever the client sent). An app without a socket (`app.request()` with no
 * bindings) sees `unknown`.
 *
 * The address is normalized to what one party controls: an IPv4-mapped IPv6 address is its IPv4
 * address, and an IPv6 address is its /64 prefix (a single host or customer is commonly given a whole
 * /64, so per-address limits on full IPv6 addresses would be free to evade). The result is always a
 * short string of address characters, fit for an audit entry.
 */

import { isIPv4, isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

export const UNKNOWN_ADDRESS = 'unknown';

/** The normalized client address of a console request. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '').split(',');
    const last = hops[hops.length - 1]?.trim();
    if (last) return normalizeAddress(last);
  }
  return normalizeAddress(socketAddress(c));
}

function socketAddress(c: Context): string | undefined {
  const env: unknown = c.env;
  // Only the bindings @hono/node-server passes have a socket; getConnInfo would throw on others.
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** An address as the throttle keys it (see the module header); `unknown` if it is not an IP address. */
export function normalizeAddress(raw: string | undefined): string {
  if (raw === undefined) return UNKNOWN_ADDRESS;
  const a = raw.trim().toLowerCase().replace(/%.*$/, ''); // an IPv6 zone id names a local interface only
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)?.[1] ?? a;
  if (isIPv4(v4)) return v4;
  if (!isIPv6(a)) return UNKNOWN_ADDRESS;
  return `${expandIpv6(a).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of a valid IPv6 address, in hex without leading zeros. */
function expandIpv6(a: string): string[] {
  const [head = '', tail] = a.split('::');
  const groups = (s: string): string[] =>
    s === ''
      ? []
      : s.split(':').flatMap((g) => {
          if (!g.includes('.')) return [g];
          // A trailing dotted quad (e.g. 64:ff9b::1.2.3.4) is two groups.
          const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = g.split('.').map(Number);
          return [((b0 << 8) | b1).toString(16), ((b2 << 8) | b3).toString(16)];
        });
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.map((g) => Number.parseInt(g, 16).toString(16));
}

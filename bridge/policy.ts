/**
 * Who may use the bridge and where it may connect: pure decisions, unit-tested, no I/O.
 * The bridge is an open door into the user's network if these are wrong: a page must not make
 * it dial the router's admin port, a DNS-rebound site must not reach it, and a remote host must
 * not use it without the token.
 */
import { timingSafeEqual } from 'node:crypto'
import ipaddr from 'ipaddr.js'

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number]

/** Parses "a.b.c.d/n" or "v6::/n" (a bare address means a single host); throws with a usable message. */
export function parseCidr(text: string): Cidr {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text)
    const addr = ipaddr.parse(text)
    return [addr, addr.kind() === 'ipv4' ? 32 : 128]
  } catch {
    throw new Error(`"${text}" is not an address range like 192.168.0.0/16 or fd00::/8`)
  }
}

function normalise(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr
}

function inRanges(addr: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly Cidr[]): boolean {
  return ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match([net, bits] as never))
}

export type Verdict = { ok: true } | { ok: false; reason: string }

/**
 * May the bridge open a TCP connection to host:port for a page? Public unicast addresses on
 * ports 1024+ only, unless `allowNet` holds the address (then any port but 0): everything else
 * (loopback, private, CGNAT, link-local, multicast, reserved, addresses that embed an IPv4 one)
 * could reach services on the user's own machine or network.
 */
export function checkPeerDestination(host: string, port: number, allowNet: readonly Cidr[]): Verdict {
  if (!ipaddr.isValid(host)) return { ok: false, reason: `"${host}" is not an IP address` }
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `port ${port} is not a port` }
  const addr = normalise(ipaddr.parse(host))
  if (inRanges(addr, allowNet)) return { ok: true }
  const range = addr.range()
  if (range !== 'unicast') {
    return { ok: false, reason: `${host} is a ${range} address; start the bridge with --allow-net to reach it` }
  }
  if (port < 1024) return { ok: false, reason: `port ${port} is below 1024 (system services); start the bridge with --allow-net to reach it` }
  return { ok: true }
}

/**
 * May the bridge announce to a tracker at this (resolved) address? Same address rule as peers,
 * but trackers legitimately live on ports 80 and 443, so no port rule.
 */
export function checkTrackerAddress(host: string, allowNet: readonly Cidr[]): Verdict {
  if (!ipaddr.isValid(host)) return { ok: false, reason: `"${host}" is not an IP address` }
  const addr = normalise(ipaddr.parse(host))
  if (inRanges(addr, allowNet) || addr.range() === 'unicast') return { ok: true }
  return { ok: false, reason: `tracker address ${host} is a ${addr.range()} address; start the bridge with --allow-net to reach it` }
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true
  const bare = host.replace(/^\[|\]$/g, '')
  return ipaddr.isValid(bare) && normalise(ipaddr.parse(bare)).range() === 'loopback'
}

/** The hostname of a Host header value ("h:port", "[v6]:port", "h"), lower case. */
export function hostnameOf(hostHeader: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(hostHeader.trim().toLowerCase())
  return m ? m[1]!.replace(/^\[|\]$/g, '') : ''
}

export interface FrontPolicy {
  /** Origins besides the server's own that may open a bridge session (e.g. a dev server). */
  allowOrigins: readonly string[]
  /** Required from every page when set (it must be set when bound beyond loopback). */
  token: string | null
}

/**
 * Host header against DNS rebinding: a rebound name resolves to us but arrives with the
 * attacker's hostname in Host. IP literals and `localhost` cannot be rebound; other names only
 * when an allowed origin uses them.
 */
export function checkHost(hostHeader: string | undefined, policy: FrontPolicy): Verdict {
  if (!hostHeader) return { ok: false, reason: 'no Host header' }
  const name = hostnameOf(hostHeader)
  if (!name) return { ok: false, reason: 'malformed Host header' }
  if (name === 'localhost' || ipaddr.isValid(name)) return { ok: true }
  const allowed = policy.allowOrigins.some((o) => {
    try { return new URL(o).hostname.replace(/^\[|\]$/g, '').toLowerCase() === name } catch { return false }
  })
  return allowed ? { ok: true } : { ok: false, reason: `Host "${name}" is not this bridge's address (DNS rebinding?)` }
}

/**
 * Origin allow-list: the server's own origin (same host as the request's already-checked Host
 * header) or a configured one. A request without Origin is not from a browser page, which is
 * what the Origin rule guards against; the token still applies to it.
 */
export function checkOrigin(origin: string | undefined, hostHeader: string, policy: FrontPolicy): Verdict {
  if (origin === undefined) return { ok: true }
  const own = [`http://${hostHeader.toLowerCase()}`, `https://${hostHeader.toLowerCase()}`]
  if (own.includes(origin.toLowerCase()) || policy.allowOrigins.includes(origin)) return { ok: true }
  return { ok: false, reason: `Origin "${origin}" may not use this bridge; add it with --allow-origin` }
}

export function checkToken(given: string | null, policy: FrontPolicy): Verdict {
  if (policy.token === null) return { ok: true }
  if (given === null) return { ok: false, reason: 'this bridge needs a token' }
  const a = Buffer.from(given)
  const b = Buffer.from(policy.token)
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'wrong bridge token' }
  return { ok: true }
}

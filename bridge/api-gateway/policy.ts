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

/**
 * The IPv4 addresses an IPv6 address carries, by the forms that lead to them: IPv4-compatible
 * (::a.b.c.d, ::/96 but :: and ::1), NAT64 (64:ff9b::/96; its local-use /48 carries one too, in
 * a layout of the network's choosing), 6to4 (2002:AABB:CCDD::/48), Teredo (2001:0:SSSS:SSSS::
 * with the client's address inverted in the last 32 bits, and the server's). Mapped
 * (::ffff:a.b.c.d) is handled before, as plain IPv4.
 */
export function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4[] {
  const w = addr.parts // eight 16-bit words
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff])
  const zeros = (from: number, to: number) => w.slice(from, to).every((x) => x === 0)
  if (zeros(0, 6) && (w[6] !== 0 || w[7]! > 1)) return [v4(w[6]!, w[7]!)]
  if (w[0] === 0x64 && w[1] === 0xff9b && zeros(2, 6)) return [v4(w[6]!, w[7]!)]
  if (w[0] === 0x2002) return [v4(w[1]!, w[2]!)]
  if (w[0] === 0x2001 && w[1] === 0) return [v4(w[2]!, w[3]!), v4(w[6]! ^ 0xffff, w[7]! ^ 0xffff)]
  return []
}

/** The range that decides an address: an embedded IPv4 address's when there is a telling one. */
function judge(addr: ipaddr.IPv4 | ipaddr.IPv6, allowNet: readonly Cidr[]): { allowed: boolean; range: string; via?: string } {
  if (inRanges(addr, allowNet)) return { allowed: true, range: addr.range() }
  if (addr.kind() === 'ipv6') {
    const six = addr as ipaddr.IPv6
    // NAT64's local-use prefix (RFC 8215) leads into a network of its operator's: never public
    if (six.match(ipaddr.IPv6.parse('64:ff9b:1::'), 48)) return { allowed: false, range: 'local-use NAT64' }
    const inner = embeddedIPv4(six)
    if (inner.length) {
      const bad = inner.find((v4) => !inRanges(v4, allowNet) && v4.range() !== 'unicast')
      if (bad) return { allowed: false, range: bad.range(), via: bad.toString() }
      return { allowed: true, range: 'unicast' }
    }
  }
  return { allowed: addr.range() === 'unicast', range: addr.range() }
}

function refusal(host: string, verdict: { range: string; via?: string }, what = ''): string {
  const which = verdict.via ? `${host} carries ${verdict.via}, a ${verdict.range} address` : `${host} is a ${verdict.range} address`
  return `${what}${which}; start the bridge with --allow-net to reach it`
}

export type Verdict = { ok: true } | { ok: false; reason: string }

/**
 * May the bridge open a TCP connection to host:port for a page? Public unicast addresses on
 * ports 1024+ only, unless `allowNet` holds the address (then any port but 0): everything else
 * (loopback, private, CGNAT, link-local, multicast, reserved) could reach services on the user's
 * own machine or network. An IPv6 form that carries an IPv4 address is judged by that address.
 */
export function checkPeerDestination(host: string, port: number, allowNet: readonly Cidr[]): Verdict {
  if (!ipaddr.isValid(host)) return { ok: false, reason: `"${host}" is not an IP address` }
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `port ${port} is not a port` }
  const addr = normalise(ipaddr.parse(host))
  if (inRanges(addr, allowNet)) return { ok: true }
  const verdict = judge(addr, allowNet)
  if (!verdict.allowed) return { ok: false, reason: refusal(host, verdict) }
  if (port < 1024) return { ok: false, reason: `port ${port} is below 1024 (system services); start the bridge with --allow-net to reach it` }
  return { ok: true }
}

/**
 * May the bridge announce to a tracker at this (resolved) address? Same address rule as peers,
 * but trackers legitimately live on ports 80 and 443, so no port rule.
 */
export function checkTrackerAddress(host: string, allowNet: readonly Cidr[]): Verdict {
  if (!ipaddr.isValid(host)) return { ok: false, reason: `"${host}" is not an IP address` }
  const verdict = judge(normalise(ipaddr.parse(host)), allowNet)
  return verdict.allowed ? { ok: true } : { ok: false, reason: refusal(host, verdict, 'tracker address ') }
}

/** May the bridge fetch from a web seed (BEP 19) at this (resolved) address? Web servers, as trackers are: the same rule. */
export function checkWebSeedAddress(host: string, allowNet: readonly Cidr[]): Verdict {
  if (!ipaddr.isValid(host)) return { ok: false, reason: `"${host}" is not an IP address` }
  const verdict = judge(normalise(ipaddr.parse(host)), allowNet)
  return verdict.allowed ? { ok: true } : { ok: false, reason: refusal(host, verdict, 'web seed address ') }
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

/**
 * What went wrong with a SOCKS5 exchange, in words, and whether it is the proxy itself that is
 * down (nothing can connect: the page is told) or only this one destination (the proxy answered).
 * Pure: the `socks` library's error texts and our own socket errors in, a reason out.
 */
export interface SocksFailure {
  /** The proxy cannot be used at all (unreachable, refuses our login, does not speak SOCKS5). */
  proxyDown: boolean
  reason: string
  /** Down, and nothing was heard from it: a connection alone shows when it is back. */
  unreachable?: boolean
  /** The proxy's reply code when it refused the request (RFC 1928, as the `socks` library names it: 'CommandNotSupported'). */
  reply?: string
}

/** RFC 1928's reply codes, as the `socks` library names them, in words. */
const REPLIES: Record<string, string> = {
  Failure: 'a general failure',
  NotAllowed: 'not allowed by its rules',
  NetworkUnreachable: 'network unreachable',
  HostUnreachable: 'host unreachable',
  ConnectionRefused: 'connection refused',
  TTLExpired: 'TTL expired',
  CommandNotSupported: 'command not supported',
  AddressNotSupported: 'address type not supported',
}

/** The proxy could not be reached at all (a socket error before it said anything). */
export function proxyUnreachable(proxy: string, code: string): SocksFailure {
  return { proxyDown: true, unreachable: true, reason: `the proxy ${proxy} cannot be reached (${code}); nothing connects without it` }
}

/**
 * `message`: the `socks` library's error (SocksClientError) or our socket's; `answered`: the
 * proxy had sent at least one byte (it is up, whatever happened to the destination).
 */
export function socksFailure(message: string, answered: boolean, proxy: string, target: string): SocksFailure {
  const rejected = /^Socks5 proxy rejected connection - (\w+)/.exec(message)
  if (rejected) return { proxyDown: false, reply: rejected[1]!, reason: `the proxy ${proxy} answered ${REPLIES[rejected[1]!] ?? rejected[1]} for ${target}` }
  if (message.startsWith('Socks5 Authentication failed')) return { proxyDown: true, reason: `the proxy ${proxy} refused the user name and password` }
  if (message.includes('no accepted authentication type')) {
    return { proxyDown: true, reason: `the proxy ${proxy} accepts none of the bridge's logins (none, or the user name and password in --proxy)` }
  }
  if (message.startsWith('Proxy connection timed out')) {
    return answered ? { proxyDown: false, reason: `no answer from ${target} through the proxy` } : { proxyDown: true, unreachable: true, reason: `the proxy ${proxy} did not answer` }
  }
  if (message.startsWith('Socket closed') || /ECONNRESET|EPIPE/.test(message)) {
    return answered ? { proxyDown: false, reason: `the proxy ${proxy} closed the connection to ${target}` }
      : { proxyDown: true, unreachable: true, reason: `the proxy ${proxy} closed the connection before answering` }
  }
  if (/^Received invalid Socks5|Negotiation error|unknown authentication type/.test(message)) return { proxyDown: true, reason: `the proxy ${proxy} does not speak SOCKS5 as expected (${message})` }
  return { proxyDown: !answered, reason: `through the proxy ${proxy}: ${message}` }
}

/** A proxy that will not relay UDP (no UDP ASSOCIATE: microsocks, many VPN providers' proxies). */
export function udpRefused(proxy: string, reply: string): SocksFailure {
  return {
    proxyDown: false,
    reply,
    reason: `the proxy ${proxy} does not relay UDP (it answered ${REPLIES[reply] ?? reply} to UDP ASSOCIATE), so udp:// trackers cannot be reached through it`,
  }
}

/**
 * Resolve once, check, connect to what was checked. A tracker's host name is resolved here, every
 * address it gives is judged by the destination policy, and the caller connects to the returned
 * address itself (a pinned `lookup` for http/https, the address for UDP), never to the name: a
 * name that resolves to a public address for the check and to 127.0.0.1 or the router a moment
 * later (DNS rebinding) cannot carry a request past the policy.
 */
import { Resolver as DnsResolver } from 'node:dns/promises'
import type { LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'
import { checkTrackerAddress, type Cidr, type Verdict } from './policy'

export interface ResolvedAddress {
  address: string
  family: 4 | 6
}

/** Name to addresses; the system's resolver, or a test's stand-in for a rebinding DNS server. */
export type Resolver = (hostname: string, signal?: AbortSignal) => Promise<ResolvedAddress[]>

/** A lookup is given this long in all (each query RESOLVE_TIMEOUT_MS, tried twice). */
const RESOLVE_TIMEOUT_MS = 4000

/**
 * DNS through c-ares (node:dns's Resolver), not getaddrinfo: a query can be cancelled and has a
 * timeout of its own, and it does not hold one of libuv's four threads (which the web server's
 * file reads share) while a hostile tracker's name server never answers. It does not read
 * /etc/hosts, so `localhost` is answered here.
 */
export const systemResolver: Resolver = async (hostname, signal) => {
  if (hostname.toLowerCase() === 'localhost') return [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]
  const resolver = new DnsResolver({ timeout: RESOLVE_TIMEOUT_MS / 2, tries: 2 })
  const cancel = () => resolver.cancel()
  signal?.addEventListener('abort', cancel, { once: true })
  try {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)])
    const out: ResolvedAddress[] = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
    ]
    if (!out.length) throw v4.status === 'rejected' ? v4.reason : new Error('no address')
    return out
  } finally {
    signal?.removeEventListener('abort', cancel)
  }
}

/** The destination policy refused where a request would go (as against a network failure). */
export class RefusedError extends Error {
  override name = 'RefusedError'
}

export type CheckedAddress = ({ ok: true } & ResolvedAddress) | { ok: false; reason: string; refused: boolean }

/**
 * The address to connect to for `hostname` (an IP literal, bracketed or not, is taken as it is),
 * or why not: every address the name resolves to must pass `check` (a name that also points into
 * the user's network is refused whole), and the first is the one to use.
 */
export async function resolveChecked(
  hostname: string,
  allowNet: readonly Cidr[],
  resolve: Resolver = systemResolver,
  check: (host: string, allowNet: readonly Cidr[]) => Verdict = checkTrackerAddress,
  signal?: AbortSignal,
): Promise<CheckedAddress> {
  const bare = hostname.replace(/^\[|\]$/g, '')
  let addrs: ResolvedAddress[]
  if (ipaddr.isValid(bare)) {
    // the canonical text, not the input's (ipaddr.isValid takes forms that sockets read otherwise)
    const parsed = ipaddr.parse(bare)
    addrs = [{ address: parsed.toString(), family: parsed.kind() === 'ipv6' ? 6 : 4 }]
  } else {
    try {
      addrs = await raceAbort(resolve(bare, signal), signal)
    } catch (err) {
      if (signal?.aborted) throw err
      return { ok: false, reason: `cannot resolve ${bare} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, refused: false }
    }
    if (!addrs.length) return { ok: false, reason: `${bare} has no address`, refused: false }
  }
  for (const a of addrs) {
    const verdict = check(a.address, allowNet)
    if (!verdict.ok) return { ok: false, reason: verdict.reason, refused: true }
  }
  return { ok: true, address: addrs[0]!.address, family: addrs[0]!.family }
}

/** The checked address, or throws: RefusedError for the policy's no, Error for a name that does not resolve. */
export async function requireChecked(hostname: string, allowNet: readonly Cidr[], resolve: Resolver | undefined, prefix: string, signal: AbortSignal,
  check: (host: string, allowNet: readonly Cidr[]) => Verdict = checkTrackerAddress): Promise<ResolvedAddress> {
  const checked = await resolveChecked(hostname, allowNet, resolve, check, signal)
  if (checked.ok) return checked
  throw checked.refused ? new RefusedError(prefix + checked.reason) : new Error(prefix + checked.reason)
}

/** `work`, or its rejection once `signal` aborts (a stand-in resolver may not listen for it). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  if (signal.aborted) return Promise.reject(new Error('stopped'))
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'))
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** A `lookup` for http.request/net.connect that answers every query with the checked address. */
export function pinnedLookup(checked: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    // Node 20 asks for all addresses when autoSelectFamily is on
    if (options?.all) callback(null, [{ address: checked.address, family: checked.family }])
    else callback(null, checked.address, checked.family)
  }) as unknown as LookupFunction
}

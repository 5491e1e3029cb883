/**
 * The local networks Local Service Discovery (BEP 14) runs on, and the one exception LSD makes to
 * the destination policy: pure decisions, unit-tested, no I/O (the interfaces come from
 * os.networkInterfaces(), passed in).
 *
 * Why an exception at all: LSD finds peers on the user's own network, and those have private
 * addresses, which the policy refuses (policy.ts) so that no stranger (a tracker, a DHT node, a
 * page) can point the bridge at the user's router or NAS. An LSD announce is not a stranger's
 * word from afar: it arrives by multicast on the link, from a host that can reach every machine on
 * that network itself. So, as libtorrent does (it ignores LSD from outside its listen socket's
 * subnet), a peer that LSD announced may be dialed when its address is on the subnet of one of the
 * interfaces LSD runs on, at the port it announced, if that port is 1024 or above; nothing else
 * the policy refuses (loopback, another network, low ports, addresses no LSD announce gave) is
 * opened by this, and `--no-lsd` turns it off with LSD itself.
 */
import type { NetworkInterfaceInfo } from 'node:os'
import ipaddr from 'ipaddr.js'
import type { Verdict } from '../api-gateway/policy'

export interface LocalNetwork {
  /** The interface's name (an IPv6 multicast group is joined and sent to per interface). */
  interface: string
  family: 4 | 6
  /** This machine's address on it. */
  address: string
  /** Its subnet, from the address and netmask. */
  subnet: [ipaddr.IPv4 | ipaddr.IPv6, number]
}

export type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>

function parse(host: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(host)) return null
  const addr = ipaddr.parse(host)
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr
}

/**
 * The networks whose peers can reach `peerHost` (the bridge's peer port): every interface's for a
 * wildcard (0.0.0.0: IPv4 ones; `::`: both), the one holding it otherwise. Loopback interfaces
 * have no one to discover; IPv6 link-local addresses are left out (a peer there needs a zone,
 * which no page could dial: core/peer-address.ts).
 */
export function lsdNetworks(interfaces: Interfaces, peerHost: string): LocalNetwork[] {
  const bound = parse(peerHost)
  if (!bound) return []
  const wildcard = bound.toNormalizedString() === (bound.kind() === 'ipv4' ? '0.0.0.0' : '0:0:0:0:0:0:0:0')
  const out: LocalNetwork[] = []
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.internal) continue
      const addr = parse(info.address)
      if (!addr || addr.range() === 'loopback' || (addr.kind() === 'ipv6' && addr.range() === 'linkLocal')) continue
      if (wildcard ? bound.kind() === 'ipv4' && addr.kind() !== 'ipv4' : addr.toNormalizedString() !== bound.toNormalizedString()) continue
      const bits = prefixLength(info)
      if (bits === null) continue
      out.push({ interface: name, family: addr.kind() === 'ipv4' ? 4 : 6, address: addr.toString(), subnet: [addr, bits] })
    }
  }
  return out
}

function prefixLength(info: NetworkInterfaceInfo): number | null {
  const fromCidr = info.cidr ? Number(info.cidr.slice(info.cidr.lastIndexOf('/') + 1)) : NaN
  if (Number.isInteger(fromCidr)) return fromCidr
  try {
    return ipaddr.parse(info.netmask).prefixLengthFromSubnetMask()
  } catch {
    return null
  }
}

/** Whether `host` is on the subnet of one of `networks` (this machine's own address too: another client here is a peer). */
export function onLocalNetwork(host: string, networks: readonly LocalNetwork[]): boolean {
  const addr = parse(host)
  if (!addr) return false
  return networks.some(({ subnet: [net, bits] }) => net.kind() === addr.kind() && addr.match(net as never, bits))
}

/** May the bridge dial a peer that LSD announced at host:port (policy.ts having refused it)? */
export function checkLanPeer(host: string, port: number, networks: readonly LocalNetwork[]): Verdict {
  if (!onLocalNetwork(host, networks)) return { ok: false, reason: `${host} is not on a local network the bridge runs LSD on` }
  if (!Number.isInteger(port) || port < 1024 || port > 65535) return { ok: false, reason: `port ${port} is below 1024 (system services)` }
  return { ok: true }
}

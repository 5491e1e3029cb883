/**
 * Which router the bridge may talk to for port mapping. This traffic is the bridge's own, not a
 * page's: it goes only to the default gateway (NAT-PMP and PCP) or to a UPnP device that answered
 * on one of this machine's own networks, at the address it answered from. That is why it needs no
 * --allow-net, and why no page, tracker or peer can steer it anywhere else.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import ipaddr from 'ipaddr.js'
// @ts-ignore -- default-gateway ships no types; the part used is typed below.
import { gateway4async } from 'default-gateway'
import { canonicalHost } from '../../../src/core/peer-address'

const findGateway4 = gateway4async as () => Promise<{ gateway: string; int: string | null }>

/** The IPv4 default gateway (canonical text), or null when there is none (no route out, or no way to ask). */
export async function defaultGateway(): Promise<string | null> {
  try {
    const { gateway } = await findGateway4()
    return canonicalHost(gateway)
  } catch {
    return null
  }
}

/** True when `address` is on a network one of this machine's interfaces (not loopback) is on directly. */
export function onLocalNetwork(address: string, interfaces: Record<string, NetworkInterfaceInfo[] | undefined> = networkInterfaces()): boolean {
  const host = canonicalHost(address)
  if (!host) return false
  const addr = ipaddr.parse(host)
  for (const list of Object.values(interfaces)) {
    for (const iface of list ?? []) {
      if (iface.internal || !iface.cidr) continue
      try {
        const [net, bits] = ipaddr.parseCIDR(iface.cidr)
        if (net.kind() === addr.kind() && addr.match([net, bits] as never) && host !== canonicalHost(iface.address.split('%')[0])) return true
      } catch {
        // an interface Node describes oddly is not one to trust
      }
    }
  }
  return false
}

/** True when this machine has a network interface other than loopback (else there is no router to ask). */
export function hasNetwork(interfaces: Record<string, NetworkInterfaceInfo[] | undefined> = networkInterfaces()): boolean {
  return Object.values(interfaces).some((list) => list?.some((iface) => !iface.internal))
}

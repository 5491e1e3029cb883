/**
 * `--outgoing-interface NAME|ADDRESS`: the local address every outgoing socket of the bridge is
 * bound to. A name (wg0, tun0) is looked up at each connection, not once: a VPN that goes down
 * takes its address with it, and then nothing connects (the caller says why) rather than
 * something going out of another interface.
 *
 * Node can bind a socket to an address only, not to a device (no SO_BINDTODEVICE): the kernel
 * sends from that address, and the routing table still picks the way out (see the README).
 */
import net from 'node:net'
import os from 'node:os'

/** What os.networkInterfaces() gives; a test passes its own. */
export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>

export type OutgoingInterface = { kind: 'address'; address: string; family: 4 | 6 } | { kind: 'name'; name: string }

export type BindAddress = { ok: true; address: string } | { ok: false; reason: string }

/** Interface names as Linux allows them (IFNAMSIZ 16, no '/' or spaces). */
const NAME = /^[\w.:@-]{1,15}$/

/** Parses the option's value; throws with a usable message. */
export function parseOutgoingInterface(text: string): OutgoingInterface {
  const value = text.trim()
  const bare = value.replace(/^\[|\]$/g, '')
  const family = net.isIP(bare)
  if (family) return { kind: 'address', address: bare, family: family as 4 | 6 }
  if (NAME.test(value)) return { kind: 'name', name: value }
  throw new Error(`--outgoing-interface: "${text}" is neither an interface name (like wg0) nor an IP address`)
}

export function describeInterface(spec: OutgoingInterface): string {
  return spec.kind === 'name' ? spec.name : spec.address
}

/**
 * The address to bind for a connection to an address of `family`, now: the interface's first
 * address of that family (a global one before a link-local one, which would need a scope), or why
 * there is none.
 */
export function bindAddress(spec: OutgoingInterface, family: 4 | 6, table: InterfaceTable = os.networkInterfaces()): BindAddress {
  const ipv = `IPv${family}`
  if (spec.kind === 'address') {
    return spec.family === family ? { ok: true, address: spec.address }
      : { ok: false, reason: `the outgoing address ${spec.address} is IPv${spec.family}, and this destination is ${ipv}` }
  }
  const entries = table[spec.name]
  if (!entries) return { ok: false, reason: `there is no interface ${spec.name} (is the VPN down?); nothing connects without it` }
  const ofFamily = entries.filter((e) => e.family === ipv)
  const usable = ofFamily.find((e) => !(family === 6 && e.address.toLowerCase().startsWith('fe80:'))) ?? null
  if (!usable) return { ok: false, reason: `interface ${spec.name} has no ${ipv} address (is it down?); nothing connects without it` }
  return { ok: true, address: usable.address }
}

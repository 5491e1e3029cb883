/**
 * The one door every peer address from a stranger comes through (trackers' `peers` and `peers6`
 * in both forms, UDP trackers, the DHT, PEX, a magnet's `x.pe`): an IP literal in canonical text
 * and a port 1-65535, or null. Whatever shape a tracker sends for `ip` (an integer, a list, a
 * scoped or bracketed IPv6, a host name, 10 kB of dots), nothing past this point sees anything but
 * `{ host: '1.2.3.4' | '2001:db8::1', port }`: the frame encoder, the destination policy and the
 * socket all read the same canonical text. (An `ip` of 16909060 once passed ipaddr.isValid as
 * 1.2.3.4 and then made the frame encoder throw inside a timer, which ended the bridge.)
 *
 * Pure and linear: inputs are clipped before they are scanned.
 */
import type { PeerAddress } from '../protocol/bridge-frames'
import { bytesToIp, ipToBytes } from './ip-bytes'

/** Longest IP literal text with brackets ("[ffff:…:255.255.255.255]"); longer input is not one. */
const MAX_HOST_TEXT = 47
/** "[" + host + "]:" + 5 digits. */
const MAX_PEER_TEXT = MAX_HOST_TEXT + 7

// ignoreBOM: bytes read as the text they hold; by default a leading U+FEFF is dropped, and the
// bytes of '\ufeff1.2.3.4' were taken as an address that the same text is not
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** The port as a number 1-65535 from a number or a decimal string, else null. */
export function canonicalPort(port: unknown): number | null {
  let n: number
  if (typeof port === 'number') n = port
  else if (typeof port === 'string' && /^\d{1,5}$/.test(port)) n = Number(port)
  else return null
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null
}

/** Canonical text of an IP literal (IPv4-mapped IPv6 as its IPv4), or null for anything else. */
export function canonicalHost(host: unknown): string | null {
  let text: string
  if (typeof host === 'string') text = host
  else if (host instanceof Uint8Array && host.length <= MAX_HOST_TEXT) text = utf8.decode(host)
  else return null
  if (text.length > MAX_HOST_TEXT) return null
  const bytes = ipToBytes(text)
  return bytes ? bytesToIp(canonicalBytes(bytes)) : null
}

/** An address's bytes as its canonical text reads them: an IPv4-mapped IPv6 address is its IPv4. */
export function canonicalBytes(bytes: Uint8Array): Uint8Array {
  return isMapped(bytes) ? bytes.subarray(12) : bytes
}

/** A peer from a host and a port of any type; null unless both are valid. */
export function canonicalPeer(host: unknown, port: unknown): PeerAddress | null {
  const h = canonicalHost(host)
  const p = canonicalPort(port)
  return h !== null && p !== null ? { host: h, port: p } : null
}

/** "1.2.3.4:6881" or "[2001:db8::1]:6881" (also "::ffff:1.2.3.4" in brackets); null otherwise. */
export function parsePeerText(text: unknown): PeerAddress | null {
  if (typeof text !== 'string' || text.length > MAX_PEER_TEXT) return null
  const colon = text.lastIndexOf(':')
  if (colon <= 0) return null
  const host = text.slice(0, colon)
  if (host.includes(':') && !(host.startsWith('[') && host.endsWith(']'))) return null // a bare IPv6 and a port are ambiguous
  return canonicalPeer(host, text.slice(colon + 1))
}

/** Bytes a compact peer takes (BEP 23, BEP 7): an address and a big-endian port. */
export const COMPACT_V4 = 6
export const COMPACT_V6 = 18

export interface CompactPeers {
  /** Each peer with its index in the list (PEX flags are indexed so). */
  peers: { peer: PeerAddress; index: number }[]
  /** Entries left out: port 0, addresses no TCP peer can have, a trailing partial entry, or past `max`. */
  dropped: number
}

/**
 * The peers of a compact list, at most `max` of them; a list whose length is not a multiple of
 * the entry size keeps its whole entries (the partial one counts as dropped).
 */
export function decodeCompactPeers(bytes: Uint8Array, size: typeof COMPACT_V4 | typeof COMPACT_V6, max: number): CompactPeers {
  const count = Math.floor(bytes.length / size)
  let dropped = bytes.length % size === 0 ? 0 : 1
  const peers: CompactPeers['peers'] = []
  for (let i = 0; i < count; i++) {
    if (peers.length >= max) {
      dropped += count - i
      break
    }
    const at = i * size
    const ip = canonicalBytes(bytes.subarray(at, at + size - 2))
    const port = (bytes[at + size - 2]! << 8) | bytes[at + size - 1]!
    if (port === 0 || !dialable(ip)) {
      dropped++
      continue
    }
    peers.push({ peer: { host: bytesToIp(ip), port }, index: i })
  }
  return { peers, dropped }
}

/** Not unspecified, not multicast, not the IPv4 broadcast address: no TCP peer can be there. */
export function dialable(ip: Uint8Array): boolean {
  // an IPv4-mapped address is its IPv4 one: ::ffff:0.0.0.0 is not all zeros but is 0.0.0.0
  if (isMapped(ip)) return dialable(ip.subarray(12))
  if (ip.length === 4) {
    const first = ip[0]!
    if (first === 0 || (first >= 224 && first <= 239)) return false
    return !ip.every((b) => b === 255)
  }
  if (ip[0] === 0xff) return false
  return !ip.every((b) => b === 0)
}

/** The key two addresses share when they are the same peer. */
export function peerKey(peer: PeerAddress): string {
  return peer.host.includes(':') ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`
}

function isMapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

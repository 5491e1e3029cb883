/**
 * A magnet's direct peers (BEP 9 `x.pe`) as addresses the bridge can dial: an IP literal and a
 * port. Host names are left out: the bridge's OPEN frame carries IP bytes only, and resolving
 * names for a page would let it aim the bridge's DNS lookups; a link's own peers are nearly
 * always IP literals (clients write their own address).
 */
import type { PeerAddress } from '../protocol/bridge-frames'
import { bytesToIp, ipToBytes } from './ip-bytes'
import { parseMagnet } from './magnet'

const PEER = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/

/** "1.2.3.4:6881" or "[v6]:6881" → canonical address; null for a host name, a bare v6, port 0. */
export function magnetPeerAddress(text: string): PeerAddress | null {
  const m = PEER.exec(text.trim())
  if (!m) return null
  const ip = ipToBytes(m[1]!)
  const port = Number(m[2])
  if (!ip || port < 1 || port > 65535) return null
  return { host: bytesToIp(ip), port }
}

/** The dialable `x.pe` peers of a stored magnet URI (none when there is none, or it does not parse). */
export function magnetPeers(magnetURI: string | undefined): PeerAddress[] {
  if (!magnetURI) return []
  let peers: string[]
  try {
    peers = parseMagnet(magnetURI).peers
  } catch {
    return []
  }
  return peers.map(magnetPeerAddress).filter((peer): peer is PeerAddress => peer !== null)
}

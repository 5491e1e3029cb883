/**
 * A magnet's direct peers (BEP 9 `x.pe`) as addresses the bridge can dial: an IP literal and a
 * port. Host names are left out: the bridge's OPEN frame carries IP bytes only, and resolving
 * names for a page would let it aim the bridge's DNS lookups; a link's own peers are nearly
 * always IP literals (clients write their own address).
 */
import type { PeerAddress } from '../../protocol/bridge-frames'
import { parseMagnet } from '../torrent-parser/magnet'
import { parsePeerText } from '../peer-address'

/** "1.2.3.4:6881" or "[v6]:6881" → canonical address; null for a host name, a bare v6, port 0. */
export function magnetPeerAddress(text: string): PeerAddress | null {
  return parsePeerText(text.trim())
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

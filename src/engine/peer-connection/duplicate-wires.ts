import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { duplicateToClose } from '../../core/peer-connection/duplicate-peer'
import type { BridgeLink } from './bridge-link'
import { wireAddress } from './peer-list'

/**
 * One connection per peer: webtorrent keeps both when a peer dials us while we dial it. Closes
 * one of two wires to the same peer ID, the one core/peer-connection/duplicate-peer.ts picks; true when that is
 * `wire` itself. A dialed connection that is closed is not dialed again soon.
 */
export function closedAsDuplicate(ourPeerId: string, bridge: BridgeLink | undefined, infoHash: string, torrent: Torrent, wire: Wire): boolean {
  const peerId = wire.peerId
  // a wire already closing does not count: the peer may be reconnecting
  const older = peerId ? torrent.wires.find((other) => other !== wire && other.peerId === peerId && !other.destroyed && !other.destroying) : undefined
  if (!older || !peerId) return false
  const origin = (w: Wire) => {
    const remote = wireAddress(w)
    return (remote && bridge?.direction(infoHash, remote)) || 'unknown'
  }
  const close = duplicateToClose(ourPeerId, peerId, origin(older), origin(wire)) === 'newer' ? wire : older
  const remote = wireAddress(close)
  if (remote && origin(close) === 'outbound') bridge?.deferRedial(infoHash, remote)
  close.destroy()
  return close === wire
}

import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { countPieces } from '../core/bitfield'
import { peerClient } from '../core/peer-client'
import type { PeerAddress, PeerSource } from '../protocol/bridge-frames'
import type { PeerSnapshot } from '../protocol/engine-events'

/** The parts of a wire read here (bittorrent-protocol's, not in webtorrent's typings). */
interface WireDetails {
  peerId?: string
  /** A bitfield, or after BEP 6's HaveAll an object that answers true to every get() (its buffer empty). */
  peerPieces?: { get(index: number): boolean; buffer?: Uint8Array }
  peerExtendedHandshake?: { v?: Uint8Array | string }
  downloadSpeed?(): number
  uploadSpeed?(): number
  /** A web seed's (webtorrent's WebConn). */
  url?: string
}

function piecesOf(pieces: NonNullable<WireDetails['peerPieces']>, pieceCount: number): number {
  if (pieces.buffer && pieces.buffer.length * 8 >= pieceCount) return countPieces(pieces.buffer, pieceCount)
  let n = 0
  for (let i = 0; i < pieceCount; i++) if (pieces.get(i)) n++
  return n
}

/**
 * The peers of a running torrent, as the peers list shows them. `bridged` tells a bridged TCP
 * connection's source by its address (webtorrent files every stream it is handed under 'webrtc').
 */
export function peerSnapshots(torrent: Torrent, pieceCount: number, bridged: (remote: PeerAddress) => PeerSource | undefined): PeerSnapshot[] {
  return (torrent.wires ?? []).filter((wire) => !(wire as unknown as { destroyed?: boolean }).destroyed).map((wire: Wire) => {
    const w = wire as unknown as WireDetails
    if (wire.type === 'webSeed') {
      return { address: w.url ?? '', source: 'webseed', client: 'Web seed', progress: 1, downloadSpeed: w.downloadSpeed?.() ?? 0, uploadSpeed: 0 }
    }
    const host = wire.remoteAddress ?? ''
    const port = Number(wire.remotePort ?? 0)
    const pieces = w.peerPieces
    return {
      address: host && port ? (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`) : host,
      source: (host && port ? bridged({ host, port }) : undefined) ?? 'webrtc',
      client: peerClient(w.peerId, w.peerExtendedHandshake?.v),
      progress: pieces && pieceCount ? piecesOf(pieces, pieceCount) / pieceCount : 0,
      downloadSpeed: w.downloadSpeed?.() ?? 0,
      uploadSpeed: w.uploadSpeed?.() ?? 0,
    }
  })
}

import type { Torrent, Wire } from 'webtorrent/dist/webtorrent.min.js'
import { countPieces } from '../core/bitfield'
import { peerClient } from '../core/peer-client'
import type { PeerAddress, PeerSource } from '../protocol/bridge-frames'
import type { PeerSnapshot } from '../protocol/engine-events'
import { addressKey } from './peers'

function piecesOf(pieces: NonNullable<Wire['peerPieces']>, pieceCount: number): number {
  if (pieces.buffer && pieces.buffer.length * 8 >= pieceCount) return countPieces(pieces.buffer, pieceCount)
  let n = 0
  for (let i = 0; i < pieceCount; i++) if (pieces.get(i)) n++
  return n
}

/** A wire's remote address, where webtorrent knows it (not for some WebRTC peers, nor web seeds). */
export function wireAddress(wire: Wire): PeerAddress | undefined {
  const host = wire.remoteAddress ?? ''
  const port = Number(wire.remotePort ?? 0)
  return host && port ? { host, port } : undefined
}

/**
 * The peers of a running torrent, as the peers list shows them. `bridged` tells a bridged TCP
 * connection's source by its address (webtorrent files every stream it is handed under 'webrtc').
 */
export function peerSnapshots(torrent: Torrent, pieceCount: number, bridged: (remote: PeerAddress) => PeerSource | undefined): PeerSnapshot[] {
  return (torrent.wires ?? []).filter((wire) => !wire.destroyed).map((wire): PeerSnapshot => {
    const downloadSpeed = wire.downloadSpeed?.() ?? 0
    if (wire.type === 'webSeed') return { address: wire.url ?? '', source: 'webseed', client: 'Web seed', progress: 1, downloadSpeed, uploadSpeed: 0 }
    const remote = wireAddress(wire)
    const pieces = wire.peerPieces
    return {
      address: remote ? addressKey(remote) : wire.remoteAddress ?? '',
      source: (remote && bridged(remote)) || 'webrtc',
      client: peerClient(wire.peerId ?? undefined, wire.peerExtendedHandshake?.v),
      progress: pieces && pieceCount ? piecesOf(pieces, pieceCount) / pieceCount : 0,
      downloadSpeed,
      uploadSpeed: wire.uploadSpeed?.() ?? 0,
    }
  })
}

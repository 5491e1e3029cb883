import { countPieces } from '../../core/file-storage/bitfield'
import { peerClient } from '../../core/peer-connection/peer-client'
import type { PeerAddress, PeerSource } from '../../protocol/bridge-frames'
import type { PeerSnapshot } from '../../protocol/engine-events'
import { addressKey } from './peers'
import type { WebSeedView } from './web-seeds'

/** What the peers list reads of a webtorrent wire (webtorrent.d.ts's Wire; kept structural so Node tests can use this file). */
export interface ListedWire {
  readonly type: string
  readonly remoteAddress?: string
  readonly remotePort?: number
  readonly peerId?: string | null
  readonly peerExtendedHandshake?: { readonly v?: Uint8Array | string }
  readonly peerPieces?: { get(index: number): boolean; readonly buffer?: Uint8Array }
  readonly destroyed?: boolean
  downloadSpeed?(): number
  uploadSpeed?(): number
}
type Wire = ListedWire

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

/** What the peers list needs to know of a torrent's web seeds (engine/peer-connection/web-seeds.ts). */
export interface WebSeedLookup {
  /** The web seed behind a wire of type 'webSeed'. */
  describe(wire: Wire): WebSeedView | undefined
  /** All of them, those dropped included. */
  list(): WebSeedView[]
}

/**
 * The peers of a running torrent, as the peers list shows them, then its web seeds that were
 * dropped, each with the reason. `bridged` tells a bridged TCP connection's source by its address
 * (webtorrent files every stream it is handed under 'webrtc').
 */
export function peerSnapshots(torrent: { readonly wires?: readonly ListedWire[] }, pieceCount: number, bridged: (remote: PeerAddress) => PeerSource | undefined, webSeeds?: WebSeedLookup): PeerSnapshot[] {
  const connected = (torrent.wires ?? []).filter((wire) => !wire.destroyed).map((wire): PeerSnapshot => {
    const downloadSpeed = wire.downloadSpeed?.() ?? 0
    if (wire.type === 'webSeed') {
      const seed = webSeeds?.describe(wire)
      return { address: seed?.host ?? '', source: 'webseed', client: seed?.viaBridge ? 'Web seed, through the bridge' : 'Web seed', progress: 1, downloadSpeed, uploadSpeed: 0 }
    }
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
  const dropped = (webSeeds?.list() ?? []).filter((seed) => seed.dropped !== null).map((seed): PeerSnapshot => ({
    address: seed.host, source: 'webseed', client: 'Web seed', progress: 1, downloadSpeed: 0, uploadSpeed: 0, dropped: seed.dropped!,
  }))
  return [...connected, ...dropped]
}

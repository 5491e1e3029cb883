import { availability } from '../../core/piece-selection/availability'
import { hasPiece } from '../../core/file-storage/bitfield'
import { isWanted } from '../../core/download-manager/progress'
import type { TorrentDiagnostics, TorrentSnapshot } from '../../protocol/engine-events'
import type { TorrentRecord } from '../download-manager/snapshot'

/**
 * What the Diagnostics view reads of a webtorrent wire: bittorrent-protocol's own fields (its
 * choke and interest states, the block requests out each way). Kept structural, as peer-list.ts's.
 */
export interface DiagnosedWire {
  readonly type: string
  readonly destroyed?: boolean
  readonly peerChoking?: boolean
  readonly amInterested?: boolean
  readonly amChoking?: boolean
  readonly peerInterested?: boolean
  readonly requests?: readonly unknown[]
  readonly peerRequests?: readonly unknown[]
  readonly peerPieces?: { get(index: number): boolean }
}

/** Pieces wholly or partly in a wanted file: a piece of skipped files only is not missed. */
function wantedPieces(record: TorrentRecord): ((piece: number) => boolean) | undefined {
  const metainfo = record.metainfo
  const priorities = record.stored.priorities
  if (!metainfo || !priorities) return undefined
  const wanted = new Uint8Array(metainfo.pieceCount)
  let offset = 0
  for (const file of metainfo.files) {
    if (isWanted(file, priorities[file.index]) && file.length > 0) {
      const last = Math.floor((offset + file.length - 1) / metainfo.pieceLength)
      wanted.fill(1, Math.floor(offset / metainfo.pieceLength), last + 1)
    }
    offset += file.length
  }
  return (piece) => wanted[piece] === 1
}

/** One torrent's diagnostics, from its record, webtorrent's wires and the bridge's candidates. */
export function diagnose(record: TorrentRecord, snapshot: TorrentSnapshot, wires: readonly DiagnosedWire[], candidates: number): TorrentDiagnostics {
  const open = wires.filter((wire) => !wire.destroyed)
  const count = (test: (wire: DiagnosedWire) => boolean) => open.filter(test).length
  const bitfield = record.bitfield
  const pieceCount = record.metainfo?.pieceCount ?? 0
  const wanted = wantedPieces(record)
  return {
    state: snapshot.state,
    peerSources: snapshot.peerSources,
    wires: {
      total: open.length,
      unchokedUs: count((wire) => wire.peerChoking === false),
      interesting: count((wire) => wire.amInterested === true),
      unchokedByUs: count((wire) => wire.amChoking === false),
      interestedInUs: count((wire) => wire.peerInterested === true),
    },
    requests: {
      toPeers: open.reduce((sum, wire) => sum + (wire.requests?.length ?? 0), 0),
      fromPeers: open.reduce((sum, wire) => sum + (wire.peerRequests?.length ?? 0), 0),
    },
    candidates,
    availability: availability({
      pieceCount,
      have: (piece) => Boolean(bitfield && hasPiece(bitfield, piece)),
      ...(wanted ? { wanted } : {}),
      // web seeds have every piece, and say so in their own way
      peers: open.filter((wire) => wire.peerPieces).map((wire) => wire.peerPieces!),
    }),
    downloadSpeed: snapshot.downloadSpeed,
    uploadSpeed: snapshot.uploadSpeed,
  }
}

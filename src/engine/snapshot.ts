import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import type { Metainfo } from '../core/metainfo'
import { sanitizePathComponent } from '../core/sanitize'
import type { ErrorInfo } from '../protocol/errors'
import type { FileSnapshot, TorrentSnapshot, TorrentState } from '../protocol/engine-events'

/** What the engine keeps of each torrent beside webtorrent's own object. */
export interface TorrentRecord {
  torrent: Torrent
  infoHash: string
  /** Our own parse of the metadata: sanitised names, validated fields. */
  metainfo?: Metainfo
  displayName: string
  addedAt: number
  error?: ErrorInfo
}

function stateOf(record: TorrentRecord): TorrentState {
  const { torrent } = record
  if (record.error) return 'error'
  if (!record.metainfo && !torrent.ready) return 'metadata'
  if (torrent.paused) return torrent.done ? 'done' : 'paused'
  if (!torrent.ready) return 'checking'
  return torrent.done ? 'seeding' : 'downloading'
}

function fileSnapshots(record: TorrentRecord): FileSnapshot[] {
  const { torrent, metainfo } = record
  if (!metainfo || !torrent.files?.length) return []
  return metainfo.files.map((file, index) => {
    const wtFile = torrent.files[index]
    return {
      index,
      path: file.name,
      name: file.path[file.path.length - 1] ?? sanitizePathComponent(file.name),
      length: file.length,
      downloaded: wtFile ? Math.min(wtFile.downloaded, file.length) : 0,
      done: file.length === 0 ? torrent.ready : Boolean(wtFile?.done),
      pad: file.pad,
    }
  }).filter((file) => !file.pad).map(({ pad: _pad, ...file }) => file)
}

export function snapshot(record: TorrentRecord): TorrentSnapshot {
  const { torrent, metainfo } = record
  const length = metainfo?.length ?? 0
  const downloaded = length ? Math.min(torrent.downloaded ?? 0, length) : 0
  const state = stateOf(record)
  const active = state === 'downloading'
  const snap: TorrentSnapshot = {
    infoHash: record.infoHash,
    name: metainfo?.name ?? record.displayName,
    magnetURI: torrent.magnetURI ?? '',
    length,
    downloaded,
    uploaded: torrent.uploaded ?? 0,
    progress: length ? downloaded / length : 0,
    downloadSpeed: active ? torrent.downloadSpeed : 0,
    uploadSpeed: torrent.uploadSpeed ?? 0,
    peers: torrent.numPeers ?? 0,
    eta: active && torrent.downloadSpeed > 0 ? (length - downloaded) / torrent.downloadSpeed : Infinity,
    state,
    files: fileSnapshots(record),
    addedAt: record.addedAt,
  }
  if (record.error) snap.error = record.error
  return snap
}

import type { ErrorInfo } from './errors'

export type TorrentState =
  | 'metadata' // waiting for metadata from peers (magnet)
  | 'checking' // verifying data already on disk
  | 'downloading'
  | 'seeding'
  | 'paused'
  | 'done' // complete, not uploading
  | 'error'

export interface FileSnapshot {
  index: number
  /** Sanitised path inside the torrent, '/'-separated. */
  path: string
  /** Last path component: what "Save NAME" saves as. */
  name: string
  length: number
  downloaded: number
  done: boolean
}

export interface TorrentSnapshot {
  infoHash: string
  name: string
  magnetURI: string
  length: number
  downloaded: number
  uploaded: number
  /** 0..1 */
  progress: number
  downloadSpeed: number
  uploadSpeed: number
  peers: number
  /** Seconds; Infinity when unknown. */
  eta: number
  state: TorrentState
  error?: ErrorInfo
  files: FileSnapshot[]
  addedAt: number
}

/** The engine's one outbound event stream. */
export type EngineEvent =
  | { type: 'added'; torrent: TorrentSnapshot }
  | { type: 'metadata'; torrent: TorrentSnapshot }
  | { type: 'progress'; torrents: TorrentSnapshot[] }
  | { type: 'done'; torrent: TorrentSnapshot }
  | { type: 'warning'; infoHash: string; message: string }
  | { type: 'error'; infoHash?: string; error: ErrorInfo }
  | { type: 'duplicate'; infoHash: string; name: string }
  | { type: 'removed'; infoHash: string; deletedData: boolean }

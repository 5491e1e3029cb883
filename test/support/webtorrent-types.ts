// The few parts of webtorrent 3.0.x (Node build) that the test harness uses.
//
// webtorrent 3 ships no TypeScript types. These are plain interfaces in a normal module, not an
// ambient `declare module 'webtorrent'`, on purpose: other parts of the repo may declare that
// module for the browser build, and two ambient declarations of one module would clash. The
// harness imports the package with `@ts-ignore` and casts it to `WebTorrentConstructor`.
import type { EventEmitter } from 'node:events'

/** Connection type as webtorrent names it (`wire.type`). */
export type WireType = 'webrtc' | 'tcpIncoming' | 'tcpOutgoing' | 'utpIncoming' | 'utpOutgoing' | 'webSeed'

export interface Wire extends EventEmitter {
  type: WireType | string
  remoteAddress?: string
  peerId?: string
  downloaded: number
  uploaded: number
  destroy(): void
}

export interface TorrentFile {
  /** `name/…`, joined with the OS separator. */
  path: string
  name: string
  length: number
  offset: number
  done: boolean
  progress: number
}

export interface Torrent extends EventEmitter {
  infoHash: string
  magnetURI: string
  torrentFile: Uint8Array
  name: string
  announce: string[]
  urlList: string[]
  files: TorrentFile[]
  pieceLength: number
  lastPieceLength: number
  length: number
  /** Number of pieces (array of piece objects; only `.length` is used here). */
  pieces: unknown[]
  ready: boolean
  done: boolean
  destroyed: boolean
  progress: number
  downloaded: number
  uploaded: number
  downloadSpeed: number
  uploadSpeed: number
  numPeers: number
  wires: Wire[]
  path: string
  /** Internal: peers by id; for WebRTC peers `conn` is the simple-peer (addresses from getStats). */
  _peers?: Map<string, { type: string; conn?: { localAddress?: string; remoteAddress?: string } | null }>
  destroy(opts?: { destroyStore?: boolean }, cb?: (err?: Error | null) => void): void
}

export interface TorrentOptions {
  /** Folder the torrent's files are written to / read from (the torrent name is appended). */
  path?: string
  announce?: string[]
  /** create-torrent (seed only). */
  announceList?: string[][]
  pieceLength?: number
  name?: string
  private?: boolean
  createdBy?: string
  comment?: string
  urlList?: string[]
  [key: string]: unknown
}

export interface WebTorrentOptions {
  peerId?: string
  torrentPort?: number
  dht?: boolean | object
  lsd?: boolean
  utPex?: boolean
  utp?: boolean
  natUpnp?: boolean | 'permanent'
  natPmp?: boolean
  webSeeds?: boolean
  maxConns?: number
  downloadLimit?: number
  uploadLimit?: number
  tracker?:
    | false
    | {
        rtcConfig?: { iceServers: unknown[] }
        /** `false` disables WebRTC (ws:// trackers are then skipped). */
        wrtc?: unknown
        announce?: string[]
        getAnnounceOpts?: () => Record<string, unknown>
      }
  [key: string]: unknown
}

export interface WebTorrent extends EventEmitter {
  torrents: Torrent[]
  torrentPort: number
  listening: boolean
  destroyed: boolean
  downloadSpeed: number
  uploadSpeed: number
  progress: number
  add(torrentId: string | Uint8Array, opts?: TorrentOptions, onTorrent?: (t: Torrent) => void): Torrent
  seed(input: string | string[] | Uint8Array, opts?: TorrentOptions, onSeed?: (t: Torrent) => void): Torrent
  get(torrentId: string | Uint8Array): Promise<Torrent | null>
  throttleUpload(rate: number): boolean | void
  throttleDownload(rate: number): boolean | void
  destroy(cb?: (err?: Error | null) => void): void
  /** Internal: the TCP (and uTP) listener. Node build only. */
  _connPool?: { tcpServer: import('node:net').Server | null } | null
}

export interface WebTorrentConstructor {
  new (opts?: WebTorrentOptions): WebTorrent
  WEBRTC_SUPPORT: boolean
  UTP_SUPPORT: boolean
  VERSION: string
}

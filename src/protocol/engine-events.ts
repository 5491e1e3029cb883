import type { StatusFrame } from './bridge-frames'
import type { ErrorInfo } from './errors'

export type TorrentState =
  | 'queued' // waiting for a free slot in the queue
  | 'metadata' // waiting for metadata from peers (magnet)
  | 'choosing' // metadata is here; waiting for the user to choose files (a magnet added with "ask which files")
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
  /** 0..length, length only when done (core/download-manager/progress.ts). */
  downloaded: number
  /** Every piece of it verified: it can be saved. */
  done: boolean
  /** 0 skip, 1 normal, 2 high. */
  priority: 0 | 1 | 2
}

/** Connected peers by how they were found: WebRTC in the page, the rest through the bridge. */
export interface PeerSources { webrtc: number; tracker: number; dht: number; pex: number; magnet: number; incoming: number; lsd: number; webseed: number }

/** One connected peer, for a torrent's peers list. */
/** One tracker of a running torrent, as its tracker list shows it. */
export interface TrackerSnapshot {
  url: string
  /**
   * announcing: asked, no answer yet; working: its last answer came; error: its last announce
   * failed (`message` says how); refused: the bridge will not contact it (`message` says why);
   * waiting: not contacted (the bridge is not connected, or the torrent is not running).
   */
  state: 'announcing' | 'working' | 'error' | 'refused' | 'waiting'
  message: string
  /** Peers its last answer gave; -1 when not told (WebSocket trackers hand out WebRTC offers). */
  peers: number
  /** Its last answer's seeders and leechers; -1 when unknown. */
  seeders: number
  leechers: number
}

export interface PeerSnapshot {
  /** "ip:port", a web seed's host, or '' where the browser tells none (some WebRTC peers). */
  address: string
  /** How the page found it: WebRTC (a WebSocket tracker), through the bridge, or a web seed (BEP 19). */
  source: keyof PeerSources
  /** Its client in words ("qBittorrent 4.6.5"); '' when it says nothing readable. */
  client: string
  /** Share of the torrent it has, 0-1. */
  progress: number
  /** Piece data from it and to it, bytes/s. */
  downloadSpeed: number
  uploadSpeed: number
  /** A web seed no longer used: why it was dropped. */
  dropped?: string
}

/** How reachable the bridge is, as its last STATUS frame said, and the TCP port peers connect to. */
export type BridgeConnectivity = Omit<StatusFrame, 'type'> & { peerPort: number }

/** 'none': this server has no bridge; the page reaches WebRTC peers only. */
export interface BridgeStatus {
  state: 'none' | 'connecting' | 'connected' | 'disconnected' | 'closed'
  reason: string | null
  /** How reachable the bridge is: while connected, once it said. */
  connectivity?: BridgeConnectivity
  /** The bridge's SOCKS5 proxy and outgoing interface (the server's, read-only here) and whether they work; absent when it goes directly. */
  route?: BridgeRoute
}
export interface BridgeRoute {
  /** socks5://host:port, or ''. */
  proxy: string
  outgoingInterface: string
  state: 'unknown' | 'up' | 'down'
  message: string
}

export interface TorrentSnapshot {
  infoHash: string
  name: string
  magnetURI: string
  length: number
  /** Bytes of the files not skipped (padding files are neither). */
  wantedLength: number
  /** Bytes of those files downloaded (core/download-manager/progress.ts): 0..wantedLength, wantedLength only when complete. */
  downloaded: number
  uploaded: number
  ratio: number
  /** downloaded / wantedLength: 0..1, 1 only when complete. */
  progress: number
  downloadSpeed: number
  uploadSpeed: number
  peers: number
  peerSources: PeerSources
  /** Seconds; Infinity when unknown. */
  eta: number
  state: TorrentState
  /** Why it errored, or why it was paused for the user (a full disk). */
  error?: ErrorInfo
  /** While queued: its place in line (1 = starts next) among those waiting to download, or to seed. */
  queue?: { position: number; toSeed: boolean }
  /** Done because this seeding goal was met (not paused by the user). */
  seedingGoal?: 'ratio' | 'time'
  files: FileSnapshot[]
  addedAt: number
  sequential: boolean
  /** This torrent's own speed limits, bytes/s; 0 = none (the global ones still hold). */
  downloadLimit: number
  uploadLimit: number
  /** Pieces read back and hashed when it last started (fast resume keeps this small). */
  piecesChecked: number
  piecesVerified: number
  pieceCount: number
}

/** What the engine knows of one torrent, for a person asking "why is this slow?" (the Diagnostics view). */
export interface TorrentDiagnostics {
  state: TorrentState
  /** Connected peers by how they were found. */
  peerSources: PeerSources
  /** Open connections (wires) and where each stands. */
  wires: {
    total: number
    /** Peers that let us request pieces from them (not choking us), and that have something we want. */
    unchokedUs: number
    interesting: number
    /** Peers we send pieces to, and that want some of ours. */
    unchokedByUs: number
    interestedInUs: number
  }
  /** Blocks (16 KiB) asked of peers and not yet received; asked of us and not yet sent. */
  requests: { toPeers: number; fromPeers: number }
  /** Peer addresses the bridge has heard of (trackers, DHT, PEX…) and may still dial. */
  candidates: number
  availability: Availability
  downloadSpeed: number
  uploadSpeed: number
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
  | { type: 'bridge'; status: BridgeStatus }
  | { type: 'notice'; level: 'info' | 'error'; infoHash?: string; message: string }
  | { type: 'removed'; infoHash: string; deletedData: boolean }
  /** The history of finished downloads changed (a download finished, or it was cleared). */
  | { type: 'history' }

/**
 * How available a torrent's pieces are among the peers it is connected to: what a person asking
 * "why is this slow?" or "why does it stop at 99%?" needs to see. `distributedCopies` is what
 * libtorrent and qBittorrent call availability: the copies of the rarest piece, plus the share of
 * pieces that have more copies than that (2.4 = every piece at least twice, 40% of them more).
 */
export interface Availability {
  pieces: number
  /** Pieces we still want and miss (wanted: not only in skipped files). */
  missing: number
  /** Of those, pieces no connected peer has: they cannot come until someone who has them connects. */
  missingNowhere: number
  /** Copies of the rarest missing piece among the peers (0 when some are nowhere); -1 when nothing is missing. */
  rarestMissing: number
  /** Over every piece, counting our own copy of the pieces we have. */
  distributedCopies: number
}

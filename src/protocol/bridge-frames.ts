/**
 * Frames between a page and the bridge over its one WebSocket (`/bridge`). Types and constants
 * only; the pure codec is `src/core/api-gateway/bridge-codec.ts`.
 *
 * Wire layout of every frame (one WebSocket binary message = one frame):
 *   byte 0: BRIDGE_PROTOCOL_VERSION, byte 1: FrameType, then the type's body (big-endian).
 *
 * Streams: many TCP connections are multiplexed by a 32-bit stream id. The page opens odd ids,
 * the bridge (inbound peers) even ids, so the two never collide. Flow control is credit-based in
 * both directions: a side may send DATA on a stream only as far as the credit the other side
 * granted (STREAM_WINDOW at open, then CREDIT frames); sending past it is a protocol error.
 */

/**
 * 2: the stream window grew from 256 KiB to 1 MiB (a version-1 peer would see credit overrun).
 * 3: DATA payloads of up to 256 KiB, not 64 KiB (a version-2 decoder would refuse them).
 * 4: TRACKER frames, each tracker's state (a version-3 page would refuse the unknown type).
 * 5: STATUS frames, the bridge's connectivity; ROUTE frames, its proxy and outgoing interface
 *    and whether they work; web seed fetches, WEB_SEED_* frames; PEERS frames from Local Service
 *    Discovery, source 3 ('lsd') (a version-4 page or bridge would refuse the unknown types).
 * 6: WELCOME carries the page's ANNOUNCE rate and burst (a version-5 decoder would see a longer frame).
 */
export const BRIDGE_PROTOCOL_VERSION = 6
/** Path of the WebSocket on the app's server. */
export const BRIDGE_PATH = '/bridge'

/**
 * Credit each side starts with on every stream, in bytes. A stream moves at most a window per
 * round trip, and the round trip through a busy page is tens of milliseconds: 1 MiB keeps one
 * fast seeder at tens of MB/s. The bridge's own memory stays capped per page (limits.ts).
 */
export const STREAM_WINDOW = 1024 * 1024
/** Most credit a side may hold on one stream (grants beyond it are a protocol error). */
export const MAX_STREAM_CREDIT = 4 * 1024 * 1024
/**
 * Largest DATA payload in one frame. The page pays per WebSocket message as well as per byte, so
 * one socket read may fill a whole frame (bridge/peer-connection/shared-reads.ts), and what waited for credit or
 * a draining WebSocket goes with it; a stream's window at open is still only four of them.
 */
export const MAX_DATA_PAYLOAD = 256 * 1024
/** Largest frame of any type (DATA payload plus header, or a long peer list). */
export const MAX_FRAME_BYTES = MAX_DATA_PAYLOAD + 64
/** Limits on variable parts, so a decoder never allocates from a length it was told. */
export const MAX_REASON_BYTES = 200
export const MAX_TRACKERS_PER_ANNOUNCE = 32
export const MAX_URL_BYTES = 512
export const MAX_PEERS_PER_FRAME = 500
export const MAX_HOST_BYTES = 64
/**
 * Most bytes one WEB_SEED_FETCH may ask for: a page splits a longer range (a piece may be 16 MiB
 * or more), so that what the bridge streams for one fetch, and the page holds for it, stays small.
 */
export const MAX_WEB_SEED_FETCH_BYTES = 4 * 1024 * 1024
/** Longest web seed URL in a fetch: a BEP 19 base with a file's path, percent-encoded, can be long. */
export const MAX_WEB_SEED_URL_BYTES = 2048

/** The BitTorrent handshake the page must send first on every stream (BEP 3). */
export const HANDSHAKE_LENGTH = 68
export const HANDSHAKE_PSTR = 'BitTorrent protocol'

export enum FrameType {
  // bridge -> page
  Welcome = 1,
  Peers = 2,
  Opened = 3,
  Incoming = 4,
  Notice = 5,
  Goodbye = 6,
  Tracker = 7,
  Status = 8,
  WebSeedData = 9,
  WebSeedEnd = 10,
  Route = 11,
  // page -> bridge
  Register = 16,
  Unregister = 17,
  Announce = 18,
  Open = 19,
  WebSeedFetch = 20,
  WebSeedCancel = 21,
  // both ways
  Data = 32,
  Credit = 33,
  Close = 34,
}

/**
 * Where a bridged peer was learnt; 'magnet': the link's own `x.pe` peers (BEP 9); 'lsd': Local
 * Service Discovery (BEP 14), a peer on the bridge's local network.
 */
export type PeerSource = 'tracker' | 'dht' | 'pex' | 'magnet' | 'incoming' | 'lsd'
/** Sources the bridge reports in PEERS frames (PEX, magnet and incoming are learnt in the page). */
export type BridgePeerSource = 'tracker' | 'dht' | 'lsd'

export interface PeerAddress {
  /** Dotted IPv4 or canonical IPv6 text. */
  host: string
  port: number
}

/** Info-hashes travel as 40 lower-case hex characters in frames' decoded form (20 bytes on the wire). */
export type InfoHashHex = string

export type AnnounceEvent = 'none' | 'started' | 'completed' | 'stopped'

/** Why a stream or a session ended; the message beside it says what to do. */
export enum CloseCode {
  Normal = 0,
  NotRegistered = 1, // the info-hash was not registered by this page
  Refused = 2, // the destination is not allowed (private range, low port, …)
  RateLimited = 3, // too many dials per second
  TooManyStreams = 4, // the page's or the bridge's socket cap
  BadHandshake = 5, // the first bytes were not a BitTorrent handshake for the info-hash
  ConnectFailed = 6, // the TCP dial failed or timed out
  Idle = 7, // no traffic for too long
  PeerClosed = 8, // the remote peer hung up
  ProtocolError = 9, // the other side broke the framing rules
  Overloaded = 10, // buffered-bytes cap
  ShuttingDown = 11,
}

export interface WelcomeFrame {
  type: FrameType.Welcome
  /** TCP port inbound peers reach this bridge on (announced to trackers and the DHT). */
  peerPort: number
  maxStreams: number
  /** Dials per second this page may make. */
  dialRate: number
  dht: boolean
  /** ANNOUNCE frames per second this page may send, and the burst above it; past them the bridge drops frames. */
  announceRate: number
  announceBurst: number
}
export interface PeersFrame {
  type: FrameType.Peers
  infoHash: InfoHashHex
  source: BridgePeerSource
  peers: PeerAddress[]
}
/** The stream's TCP connection is up (and its protocol encryption, if any, negotiated). */
export interface OpenedFrame {
  type: FrameType.Opened
  stream: number
}
export interface IncomingFrame {
  type: FrameType.Incoming
  stream: number
  infoHash: InfoHashHex
  peer: PeerAddress
}
export interface NoticeFrame {
  type: FrameType.Notice
  /** Empty string when the notice is about no torrent in particular. */
  infoHash: InfoHashHex | ''
  message: string
}
/** Where one HTTP or UDP tracker stands for one torrent, as the tracker list shows it. */
export type TrackerState = 'announcing' | 'working' | 'error' | 'refused'
/**
 * A tracker's state changed: sent when an announce starts, answers (with the swarm's counts and
 * the peers it gave) or fails, and when the bridge refuses to contact it (`message` says why).
 */
export interface TrackerFrame {
  type: FrameType.Tracker
  infoHash: InfoHashHex
  url: string
  state: TrackerState
  /** Why it failed or was refused; '' otherwise. */
  message: string
  /** Peers its last answer gave. */
  peers: number
  /** Its last answer's counts of seeders (`complete`) and leechers (`incomplete`); -1 when it gave none. */
  seeders: number
  leechers: number
}
/** Where the bridge's port mapping at the router stands (bridge/peer-connection/port-mapping/). */
export type PortMappingState = 'off' | 'mapping' | 'mapped' | 'failed'
/** How the mapping was made: UPnP-IGD, NAT-PMP (RFC 6886) or PCP (RFC 6887). */
export type PortMappingProtocol = 'upnp' | 'natpmp' | 'pcp'
export interface PortMappingStatus {
  state: PortMappingState
  /** '' until a mapping was made. */
  protocol: PortMappingProtocol | ''
  /** The router's address (IP text); '' when none was found. */
  gateway: string
  /** Where peers on the internet reach the peer port, as the router says; '' and 0 while unknown. */
  externalHost: string
  externalPort: number
  /** Why it is off or failed, or what is only partly done; '' otherwise. */
  message: string
}
/**
 * How reachable the bridge is, for the page's Connectivity panel: sent after WELCOME and again
 * whenever any of it changes.
 */
export interface StatusFrame {
  type: FrameType.Status
  portMapping: PortMappingStatus
  /** Nodes in the DHT node's routing table; -1 when the bridge runs no DHT node. */
  dhtNodes: number
  /** Local Service Discovery (BEP 14) is on. */
  lsd: boolean
  /** Where the bridge's outgoing connections go through ("socks5://host:port", never credentials); '' for none. */
  proxy: string
  /** The peer port accepts IPv6 connections. */
  ipv6: boolean
}
/** Whether the bridge's way out works: 'unknown' before it has been tried. */
export type RouteState = 'unknown' | 'up' | 'down'
/**
 * How the bridge reaches peers, trackers and web seeds, when it is not simply directly: through
 * a SOCKS5 proxy, from an outgoing interface (the server's --proxy and --outgoing-interface, not
 * the page's to change). Sent after WELCOME and whenever the state or its reason changes.
 */
export interface RouteFrame {
  type: FrameType.Route
  /** socks5://host:port (never its credentials), or '' for none. */
  proxy: string
  /** An interface name or address, or '' for none. */
  outgoingInterface: string
  state: RouteState
  /** Why it is down ("the proxy 127.0.0.1:1080 cannot be reached (ECONNREFUSED)…"); '' otherwise. */
  message: string
}
export interface GoodbyeFrame {
  type: FrameType.Goodbye
  code: CloseCode
  reason: string
}
export interface RegisterFrame {
  type: FrameType.Register
  infoHash: InfoHashHex
  /** The page's BitTorrent peer id (20 bytes as 40 hex), used in announces. */
  peerId: string
}
export interface UnregisterFrame {
  type: FrameType.Unregister
  infoHash: InfoHashHex
}
export interface AnnounceFrame {
  type: FrameType.Announce
  infoHash: InfoHashHex
  event: AnnounceEvent
  /** http(s):// and udp:// trackers only; WebSocket trackers stay in the page. */
  trackers: string[]
  /** A public torrent: the bridge's DHT node and Local Service Discovery announce it (never a private one, BEP 27). */
  dht: boolean
  uploaded: number
  downloaded: number
  /** Bytes left; -1 when unknown (magnet without metadata). */
  left: number
}
export interface OpenFrame {
  type: FrameType.Open
  stream: number
  infoHash: InfoHashHex
  peer: PeerAddress
}
export interface DataFrame {
  type: FrameType.Data
  stream: number
  data: Uint8Array
}
export interface CreditFrame {
  type: FrameType.Credit
  stream: number
  bytes: number
}
export interface CloseFrame {
  type: FrameType.Close
  stream: number
  code: CloseCode
  reason: string
}

/**
 * Web seeds (BEP 19) the page cannot fetch itself (no CORS headers, mixed content): the bridge
 * GETs the byte range for it, under the destination policy, and streams the bytes back as
 * WEB_SEED_DATA frames (at most `length` bytes in all), then one WEB_SEED_END. `fetch` is the
 * page's id for it, unique among its fetches in flight.
 */
export interface WebSeedFetchFrame {
  type: FrameType.WebSeedFetch
  fetch: number
  /** A torrent this page registered: its fetches end with it. */
  infoHash: InfoHashHex
  /** http:// or https:// */
  url: string
  /** First byte of the range, within the file at `url`. */
  start: number
  /** 1 to MAX_WEB_SEED_FETCH_BYTES. */
  length: number
}
/** The page no longer wants a fetch (the bridge then ends it with no WEB_SEED_END). */
export interface WebSeedCancelFrame {
  type: FrameType.WebSeedCancel
  fetch: number
}
/** The next bytes of a fetch's range, in order. */
export interface WebSeedDataFrame {
  type: FrameType.WebSeedData
  fetch: number
  data: Uint8Array
}
/** How a web seed fetch ended. */
export enum WebSeedOutcome {
  /** Every byte of the range was sent. */
  Ok = 0,
  /** The web seed failed: an HTTP error, a cut or wrong-sized answer, a timeout (`reason` says which). */
  Failed = 1,
  /** The destination policy refused where it (or a redirect) leads. */
  Refused = 2,
  /** The bridge is at its caps: try again later (not the web seed's fault). */
  Busy = 3,
}
export interface WebSeedEndFrame {
  type: FrameType.WebSeedEnd
  fetch: number
  outcome: WebSeedOutcome
  /** Why it failed; '' when it did not. */
  reason: string
}

export type BridgeToPageFrame =
  | WelcomeFrame | PeersFrame | OpenedFrame | IncomingFrame | NoticeFrame | GoodbyeFrame | TrackerFrame | StatusFrame | RouteFrame
  | WebSeedDataFrame | WebSeedEndFrame
  | DataFrame | CreditFrame | CloseFrame
export type PageToBridgeFrame =
  | RegisterFrame | UnregisterFrame | AnnounceFrame | OpenFrame | WebSeedFetchFrame | WebSeedCancelFrame
  | DataFrame | CreditFrame | CloseFrame
export type BridgeFrame = BridgeToPageFrame | PageToBridgeFrame

/** WebSocket close codes the bridge uses (4000-4999 is the application range; a refused token is an HTTP 401 at the upgrade, 4001 is unused). */
export const WS_CLOSE_PROTOCOL_ERROR = 4000
export const WS_CLOSE_OVERLOADED = 4002
export const WS_CLOSE_SHUTTING_DOWN = 4003

/**
 * The page's end of the bridge: one WebSocket, many relayed TCP streams, tracker and DHT peer
 * lists in. Runs in the browser and in Node tests (the WebSocket constructor is a parameter).
 * When the connection drops it reconnects with backoff and registers and announces every torrent
 * again, so the engine only ever talks to this object, never to a particular connection.
 */
import { backoffDelay, type BackoffOptions } from '../core/peer-connection/backoff'
import { AnnouncePacer, type PacedAnnounce } from '../core/peer-discovery/announce-pacer'
import { decodeBridgeFrame, encodeFrame } from '../core/api-gateway/bridge-codec'
import { RangeFetchError } from '../core/peer-connection/range-response'
import {
  BRIDGE_PATH, CloseCode, FrameType,
  type AnnounceEvent, type BridgeFrame, type BridgePeerSource, type BridgeToPageFrame, type PeerAddress, type RouteFrame, type StatusFrame, type TrackerFrame,
  type WelcomeFrame,
} from '../protocol/bridge-frames'
import { AppError } from '../protocol/errors'
import { BridgeStream, type StreamLink } from './bridge-stream'
import { Emitter } from './emitter'
import { RangeFetches } from './range-fetches'

/** The part of the WebSocket API used here: the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  binaryType: string
  readonly readyState: number
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string }) => void) | null
  onerror: ((ev: unknown) => void) | null
}
export type WebSocketConstructor = new (url: string) => WebSocketLike

export type BridgeState = 'connecting' | 'connected' | 'disconnected' | 'closed'

export interface BridgeClientOptions {
  /** ws:// or wss:// URL of the bridge, e.g. `bridgeUrl(location.href)`. */
  url: string
  WebSocket: WebSocketConstructor
  token?: string
  reconnect?: BackoffOptions
}

export interface AnnounceRequest {
  /** http(s):// and udp:// trackers (WebSocket trackers stay with webtorrent in the page). */
  trackers: string[]
  dht: boolean
  uploaded: number
  downloaded: number
  /** -1 when unknown. */
  left: number
}

export type BridgeClientEvents = {
  /** Connection state changed; `reason` says why it is not connected (for the UI). */
  state: [state: BridgeState, reason: string | null]
  peers: [infoHash: string, source: BridgePeerSource, peers: PeerAddress[]]
  /** An inbound peer for a registered torrent: hand it to `torrent.addPeer`. */
  incoming: [stream: BridgeStream]
  notice: [infoHash: string, message: string]
  /** An HTTP or UDP tracker's state for a registered torrent changed. */
  tracker: [frame: TrackerFrame]
  /** The bridge's connectivity (port mapping, DHT nodes, LSD, proxy, IPv6) changed. */
  status: [frame: StatusFrame]
  /** How the bridge reaches out (its proxy, its interface) and whether that works, changed. */
  route: [frame: RouteFrame | null]
}

const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1000, maxMs: 30_000, jitter: 0.3 }
/**
 * Window beyond STREAM_WINDOW the page lets busy streams take, all together (bridge-stream.ts):
 * four streams at the protocol's most. It bounds what the page may have to buffer for them.
 * With the WebSocket in a worker (worker-socket.ts) the bridge's maxQueuedToPage no longer holds
 * data back while the page's main thread is stuck (the worker reads on, and its messages wait in
 * the page's queue); the credit the page gave is then the bound, as no more goes out meanwhile:
 * STREAM_WINDOW per open stream (the WELCOME's maxStreams, 300 by default) plus this budget, so
 * 300 MiB + 12 MiB (README, Security: "What a stuck page may hold").
 */
const WIDE_WINDOW_BUDGET = 12 * 1024 * 1024

/** The bridge's WebSocket URL on the page's own origin. */
export function bridgeUrl(pageUrl: string, path = BRIDGE_PATH): string {
  const url = new URL(path, pageUrl)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return url.href
}

export class BridgeClient extends Emitter<BridgeClientEvents> implements StreamLink {
  private ws: WebSocketLike | null = null
  private _state: BridgeState = 'disconnected'
  private _welcome: WelcomeFrame | null = null
  private _status: StatusFrame | null = null
  private _route: RouteFrame | null = null
  private failures = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private nextStream = 1
  private readonly streams = new Map<number, BridgeStream>()
  /** Window taken beyond STREAM_WINDOW by busy streams (WIDE_WINDOW_BUDGET at most). */
  private widened = 0
  /** What to tell the bridge again after a reconnect. */
  private readonly registered = new Map<string, string>()
  private readonly announced = new Map<string, AnnounceRequest>()
  private readonly rangeFetches = new RangeFetches((frame) => this.sendFrame(frame))
  /** ANNOUNCE frames wait here for the bridge's rate (set from WELCOME; null while not connected). */
  private pacer: AnnouncePacer<AnnounceRequest> | null = null
  private pacerTimer: ReturnType<typeof setTimeout> | null = null

  constructor(private readonly opts: BridgeClientOptions) {
    super()
  }

  get state(): BridgeState { return this._state }
  /** The bridge's limits and peer port, once connected. */
  get welcome(): WelcomeFrame | null { return this._welcome }
  /** The bridge's connectivity, as its last STATUS frame said (null while not connected). */
  get status(): StatusFrame | null { return this._status }
  get openStreams(): number { return this.streams.size }
  /** The bridge's proxy or outgoing interface and whether it works; null when it goes directly (or is not connected). */
  get route(): RouteFrame | null { return this._route }

  /** Connects (and keeps reconnecting until `close`). */
  start(): void {
    if (this._state === 'closed' || this.ws) return
    this.connect()
  }

  /** Tells the bridge about a torrent (now and after every reconnect). `peerId` is 40 hex. */
  register(infoHash: string, peerId: string): void {
    // registered again before its goodbye went: the goodbye goes first, out of turn
    const goodbye = this.registered.has(infoHash) ? undefined : this.pacer?.takeOne(infoHash)
    if (goodbye) this.sendAnnounce(goodbye)
    this.registered.set(infoHash, peerId)
    this.sendFrame({ type: FrameType.Register, infoHash, peerId })
  }

  unregister(infoHash: string): void {
    if (!this.registered.delete(infoHash)) return
    this.announced.delete(infoHash)
    // a 'stopped' still waiting for the bridge's rate goes first, then the UNREGISTER
    if (!this.pacer?.unregisterAfter(infoHash)) this.sendFrame({ type: FrameType.Unregister, infoHash })
    for (const s of [...this.streams.values()]) if (s.infoHash === infoHash) s.destroy()
  }

  /** Asks the bridge to announce to trackers and the DHT; it then re-announces on its own. */
  announce(infoHash: string, event: AnnounceEvent, req: AnnounceRequest): void {
    if (!this.registered.has(infoHash)) throw new AppError('BRIDGE_PROTOCOL', 'register the torrent with the bridge before announcing it')
    if (event === 'stopped') this.announced.delete(infoHash)
    else this.announced.set(infoHash, req)
    // not connected: dropped, WELCOME announces every torrent again
    if (this._state !== 'connected' || !this.pacer) return
    this.pacer.offer(infoHash, event, req)
    this.flushAnnounces()
  }

  /** ANNOUNCE frames waiting for the bridge's rate (for diagnostics and tests). */
  get pendingAnnounces(): number { return this.pacer?.pending ?? 0 }

  /** Dials a peer through the bridge. Throws AppError BRIDGE_UNAVAILABLE when not connected. */
  open(infoHash: string, peer: PeerAddress): BridgeStream {
    if (this._state !== 'connected') throw new AppError('BRIDGE_UNAVAILABLE', 'the bridge is not connected')
    if (!this.registered.has(infoHash)) throw new AppError('BRIDGE_PROTOCOL', 'register the torrent with the bridge before dialing its peers')
    const id = this.nextStream
    this.nextStream = this.nextStream >= 0xfffffffd ? 1 : this.nextStream + 2
    const stream = new BridgeStream(id, infoHash, peer, 'outbound', this)
    this.streams.set(id, stream)
    this.sendFrame({ type: FrameType.Open, stream: id, infoHash, peer })
    return stream
  }

  /**
   * Bytes [start, start + length) of a web seed's file, fetched by the bridge (for web seeds the
   * page cannot fetch itself). Rejects with RangeFetchError: 'busy' when the bridge is not
   * connected or at its caps, 'refused' by its destination policy, 'failed' for the web seed's fault.
   */
  fetchRange(infoHash: string, url: string, start: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (this._state !== 'connected') return Promise.reject(new RangeFetchError('busy', 'the bridge is not connected'))
    if (!this.registered.has(infoHash)) return Promise.reject(new RangeFetchError('busy', 'the torrent is not registered with the bridge yet'))
    return this.rangeFetches.fetch(infoHash, url, start, length, signal)
  }

  /** Disconnects for good. */
  close(): void {
    this.setState('closed', 'closed by the page')
    if (this.timer) clearTimeout(this.timer)
    this.dropConnection('the bridge client was closed')
  }

  // ---- StreamLink ----
  sendData(stream: number, data: Uint8Array): void { this.sendFrame({ type: FrameType.Data, stream, data }) }
  sendCredit(stream: number, bytes: number): void { this.sendFrame({ type: FrameType.Credit, stream, bytes }) }
  sendClose(stream: number, reason: string): void { this.sendFrame({ type: FrameType.Close, stream, code: CloseCode.Normal, reason }) }
  forget(stream: number): void { this.streams.delete(stream) }
  /** Window busy streams hold beyond STREAM_WINDOW, all together (for diagnostics and tests). */
  get wideWindowBytes(): number { return this.widened }
  widen(bytes: number): number {
    const n = Math.max(0, Math.min(bytes, WIDE_WINDOW_BUDGET - this.widened))
    this.widened += n
    return n
  }
  narrow(bytes: number): void { this.widened = Math.max(0, this.widened - bytes) }

  private flushAnnounces(): void {
    if (this.pacerTimer || !this.pacer) return
    for (const a of this.pacer.take(Date.now())) this.sendAnnounce(a)
    const wait = this.pacer.waitMs(Date.now())
    if (wait < 0) return
    // a timer, not a loop: frames go at the bridge's rate, a few per task
    this.pacerTimer = setTimeout(() => {
      this.pacerTimer = null
      this.flushAnnounces()
    }, Math.max(wait, 1))
  }

  private sendAnnounce(a: PacedAnnounce<AnnounceRequest>): void {
    this.sendFrame({ type: FrameType.Announce, infoHash: a.infoHash, event: a.event, ...a.request })
    if (a.unregister) this.sendFrame({ type: FrameType.Unregister, infoHash: a.infoHash })
  }

  private sendFrame(frame: BridgeFrame): void {
    // frames for a connection that is not up are dropped: the state is re-sent on reconnect
    if (this._state !== 'connected' || !this.ws) return
    this.ws.send(encodeFrame(frame))
  }

  private setState(state: BridgeState, reason: string | null): void {
    if (this._state === state || this._state === 'closed') return
    this._state = state
    this.emit('state', state, reason)
  }

  private connect(): void {
    this.timer = null
    const url = new URL(this.opts.url)
    if (this.opts.token) url.searchParams.set('token', this.opts.token)
    this.setState('connecting', null)
    let ws: WebSocketLike
    try {
      ws = new this.opts.WebSocket(url.href)
    } catch (err) {
      this.scheduleReconnect(`cannot open the bridge connection: ${(err as Error).message}`)
      return
    }
    this.ws = ws
    ws.binaryType = 'arraybuffer'
    let goodbye: string | null = null
    ws.onmessage = (ev) => {
      const data = ev.data
      if (!(data instanceof ArrayBuffer)) return this.fail(ws, 'the bridge sent a text frame')
      const decoded = decodeBridgeFrame(new Uint8Array(data))
      if (!decoded.ok) return this.fail(ws, `bad frame from the bridge: ${decoded.reason}`)
      if (decoded.frame.type === FrameType.Goodbye) goodbye = decoded.frame.reason
      this.dispatch(decoded.frame)
    }
    ws.onclose = (ev) => {
      if (this.ws !== ws) return
      const reason = goodbye ?? (ev.reason || (this._welcome ? 'the bridge connection was lost' : 'cannot reach the bridge (not running, or it refused this page)'))
      this.dropConnection(reason)
      this.scheduleReconnect(reason)
    }
    ws.onerror = () => {} // onclose follows with what we can tell
  }

  private fail(ws: WebSocketLike, reason: string): void {
    try { ws.close(4000, reason.slice(0, 120)) } catch {}
    if (this.ws !== ws) return
    this.dropConnection(reason)
    this.scheduleReconnect(reason)
  }

  /** Forgets the current connection and fails its streams (the torrents stay registered). */
  private dropConnection(reason: string): void {
    const ws = this.ws
    this.ws = null
    this._welcome = null
    this._status = null
    this.pacer = null
    if (this.pacerTimer) clearTimeout(this.pacerTimer)
    this.pacerTimer = null
    if (this._route) {
      this._route = null
      this.emit('route', null)
    }
    if (ws) {
      ws.onmessage = ws.onclose = ws.onopen = null
      try { ws.close(1000) } catch {}
    }
    for (const s of [...this.streams.values()]) s.handleClose(null, reason)
    this.streams.clear()
    this.rangeFetches.failAll(reason)
  }

  private scheduleReconnect(reason: string): void {
    if (this._state === 'closed') return
    this.setState('disconnected', reason)
    this.failures++
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.connect(), backoffDelay(this.failures, this.opts.reconnect ?? DEFAULT_BACKOFF))
  }

  private dispatch(frame: BridgeToPageFrame): void {
    switch (frame.type) {
      case FrameType.Welcome:
        this._welcome = frame
        this.failures = 0
        this.setState('connected', null)
        for (const [infoHash, peerId] of this.registered) this.sendFrame({ type: FrameType.Register, infoHash, peerId })
        this.pacer = new AnnouncePacer(frame.announceRate, frame.announceBurst, Date.now())
        for (const [infoHash, req] of this.announced) this.pacer.offer(infoHash, 'started', req)
        this.flushAnnounces()
        return
      case FrameType.Peers:
        if (this.registered.has(frame.infoHash)) this.emit('peers', frame.infoHash, frame.source, frame.peers)
        return
      case FrameType.Notice:
        this.emit('notice', frame.infoHash, frame.message)
        return
      case FrameType.Tracker:
        if (this.registered.has(frame.infoHash)) this.emit('tracker', frame)
        return
      case FrameType.Status:
        this._status = frame
        this.emit('status', frame)
        return
      case FrameType.Route:
        this._route = frame
        this.emit('route', frame)
        return
      case FrameType.Goodbye:
        return // onclose follows and reports the reason
      case FrameType.Incoming: {
        if (!this.registered.has(frame.infoHash) || this.streams.has(frame.stream)) {
          this.sendClose(frame.stream, 'not registered here')
          return
        }
        const stream = new BridgeStream(frame.stream, frame.infoHash, frame.peer, 'inbound', this)
        this.streams.set(frame.stream, stream)
        this.emit('incoming', stream)
        return
      }
      case FrameType.Opened:
        this.streams.get(frame.stream)?.handleOpened()
        return
      case FrameType.Data: {
        const s = this.streams.get(frame.stream)
        if (s && !s.handleData(frame.data)) this.fail(this.ws!, `the bridge sent past its credit on stream ${frame.stream}`)
        return
      }
      case FrameType.Credit:
        this.streams.get(frame.stream)?.handleCredit(frame.bytes)
        return
      case FrameType.WebSeedData:
        if (!this.rangeFetches.handleData(frame)) this.fail(this.ws!, `the bridge sent more than web seed fetch ${frame.fetch} asked for`)
        return
      case FrameType.WebSeedEnd:
        if (!this.rangeFetches.handleEnd(frame)) this.fail(this.ws!, `the bridge ended web seed fetch ${frame.fetch} short`)
        return
      case FrameType.Close: {
        const s = this.streams.get(frame.stream)
        this.streams.delete(frame.stream)
        s?.handleClose(frame.code, frame.reason)
      }
    }
  }
}

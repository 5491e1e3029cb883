/**
 * One page's session over its WebSocket: decodes its frames and hands each to its part (its
 * registered torrents and their discovery: page-torrents.ts; its relayed streams:
 * page-streams.ts; its web seed fetches: web-seed-fetches.ts), queues what goes back, and enforces
 * the page's caps on the bytes the bridge holds for it. A frame that breaks the protocol ends this
 * session (with the reason, in a GOODBYE frame and the close message) and nothing else.
 */
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { DATA_HEADER_BYTES, decodePageFrame, encodeDataFrameInto, encodeFrame } from '../../src/core/api-gateway/bridge-codec'
import {
  CloseCode, FrameType, WS_CLOSE_OVERLOADED, WS_CLOSE_PROTOCOL_ERROR, WS_CLOSE_SHUTTING_DOWN,
  type BridgePeerSource, type BridgeToPageFrame, type PageToBridgeFrame, type PeerAddress, type RouteFrame,
} from '../../src/protocol/bridge-frames'
import type { Resolver } from './checked-address'
import { FramePool } from './frame-pool'
import { log, sessionId } from '../log'
import type { BridgeMetrics } from '../metrics'
import type { Outgoing } from '../peer-connection/outgoing'
import type { BridgeLimits } from './limits'
import type { EncryptionMode, PeerCrypto, PeerTransport } from '../peer-connection/mse/peer-crypto'
import type { Cidr } from './policy'
import { PageStreams } from '../peer-connection/page-streams'
import { PageTorrents } from '../peer-discovery/page-torrents'
import { RelayStream, type StreamOwner } from '../peer-connection/relay-stream'
import { RequestSlots } from './request-slots'
import { WebSeedFetches } from '../peer-connection/web-seed-fetches'

/** What a session needs from the bridge that holds every session. */
export interface SessionHost {
  readonly limits: BridgeLimits
  readonly metrics: BridgeMetrics
  readonly allowNet: readonly Cidr[]
  readonly peerPort: number
  /** The bridge runs a DHT node (none with --no-dht, nor behind a proxy): WELCOME says so. */
  readonly runsDht: boolean
  readonly encryption: EncryptionMode
  /** How tracker names are resolved (a test may stand in for DNS). */
  readonly resolve?: Resolver
  /** How every outgoing connection is made (outgoing.ts): directly, from an interface, through the proxy. */
  readonly outgoing: Outgoing
  /** How the bridge reaches out and whether that works, for a page that has just come (null: directly, nothing to tell). */
  routeFrame(): RouteFrame | null
  /** The bridge's tracker request slots and goodbye slots; each page's own are within them. */
  readonly trackerSlots: RequestSlots
  readonly goodbyeSlots: RequestSlots
  /** The bridge's web seed fetch slots; each page's own are within them. */
  readonly webSeedSlots: RequestSlots
  /** Counts against the bridge-wide caps; false when a cap is reached. */
  reserveStream(): boolean
  releaseStream(): void
  /** A stream's TCP side came up with this transport (counted for stats). */
  streamOpened(transport: PeerTransport): void
  takeDial(): boolean
  /** Bytes held for all pages, and (`fromPage`) those the pages sent, went up or down. */
  accountTotal(delta: number, fromPage?: boolean): void
  totalOverloaded(): boolean
  /** One page's fair share of the bridge-wide byte cap. */
  fairShare(): number
  /** The pages' own bytes held, all together, are past the bridge-wide cap. */
  pageBytesOverloaded(): boolean
  registered(session: PageSession, infoHash: string): void
  unregistered(session: PageSession, infoHash: string): void
  wantDht(session: PageSession, infoHash: string, on: boolean): void
  /** Local Service Discovery for a public torrent, on or off (a no-op when the bridge runs none). */
  wantLsd(session: PageSession, infoHash: string, on: boolean): void
  /** A peer the destination policy refuses that LSD announced on a local network lately (local-network.ts). */
  lanPeer(infoHash: string, peer: PeerAddress): boolean
  sessionEnded(session: PageSession): void
}

/** Bytes queued in the WebSocket beyond which the session stops reading its TCP sockets. */
const WS_HIGH_WATER = 2 * 1024 * 1024
/**
 * What a queued frame costs beyond its bytes (ws's header and callback, the socket's write
 * request): measured at about 1.5 KB for a ~100-byte NOTICE, when a page that read nothing had
 * 8 MiB of them queued and the bridge's RSS went from 60 to 190 MB. Counted, so the queue's cap
 * is a cap on memory, not only on bytes.
 */
const QUEUED_FRAME_COST = 1024
/** DATA frame buffers shared by every session: as many as one full WebSocket queue holds. */
const dataFrames = new FramePool(WS_HIGH_WATER)

export class PageSession implements StreamOwner {
  readonly limits: BridgeLimits
  readonly metrics: BridgeMetrics
  /** What log lines name this session by. */
  readonly sid = sessionId()
  /** Why it ended, for the log and the metrics ('page' when the page closed it). */
  private endReason = 'page'
  readonly encryption: EncryptionMode
  readonly outgoing: Outgoing
  /** The torrents this page registered, and their discovery. */
  readonly torrents: PageTorrents
  /** Its relayed streams, dialed or inbound. */
  private readonly streams: PageStreams
  private readonly webSeeds: WebSeedFetches
  /** Bytes held for this page: all of them, and those it sent (not yet in a TCP socket's hands). */
  private bufferedBytes = 0
  private fromPageBytes = 0
  private wsQueued = 0
  /** Not reading the page's frames (over a cap), since when, and the timer that gives up. */
  private pausedTimer: NodeJS.Timeout | null = null
  private pausedSinceBeat = false
  private ended = false
  /** close() has begun: its GOODBYE may itself pass a cap, which must not close again. */
  private closing = false
  private alive = true
  private readonly heartbeat: NodeJS.Timeout

  constructor(private readonly ws: WebSocket, private readonly host: SessionHost, readonly remote: string) {
    this.limits = host.limits
    this.metrics = host.metrics
    this.encryption = host.encryption
    this.outgoing = host.outgoing
    log.info({ sid: this.sid, remote }, 'page connected')
    this.torrents = new PageTorrents(this, host)
    this.streams = new PageStreams(this, host)
    this.webSeeds = new WebSeedFetches({
      send: (frame) => this.send(frame),
      congested: () => this.congested(),
      registered: (infoHash) => this.torrents.has(infoHash),
      protocolError: (reason) => this.protocolError(reason),
    }, {
      allowNet: host.allowNet,
      ...(host.resolve ? { resolve: host.resolve } : {}),
      outgoing: host.outgoing,
      slots: new RequestSlots(host.limits.maxWebSeedFetchesPerSession, host.webSeedSlots, host.limits.webSeedFetchesPerSecond, host.limits.webSeedFetchesPerSecond),
      maxPending: host.limits.maxWebSeedFetchesPendingPerSession,
    })
    ws.on('message', (data, isBinary) => this.guard('a frame', () => this.onMessage(data as Buffer, isBinary)))
    ws.on('close', () => this.end())
    ws.on('error', () => this.end())
    ws.on('pong', () => { this.alive = true })
    this.heartbeat = setInterval(() => {
      // a page the bridge has paused (now or since the last beat) cannot be read, its pongs
      // neither: maxPausedMs judges it then
      if (!this.alive && !this.paused && !this.pausedSinceBeat) { ws.terminate(); return }
      this.pausedSinceBeat = this.paused
      this.alive = false
      ws.ping()
    }, host.limits.heartbeatMs)
    this.send({ type: FrameType.Welcome, peerPort: host.peerPort, maxStreams: host.limits.maxStreamsPerSession, dialRate: host.limits.dialsPerSecond, dht: host.runsDht,
      announceRate: Math.min(0xffff, host.limits.announcesPerSecond), announceBurst: Math.min(0xffff, host.limits.announceBurst) })
    const route = host.routeFrame()
    if (route) this.send(route)
  }

  /** Bytes the bridge holds for this page right now (queued to TCP sockets or to the WebSocket). */
  get buffered(): number { return this.bufferedBytes + this.wsQueued }
  get streamCount(): number { return this.streams.size }
  /** Its streams by who opened them (the page's ids are odd, inbound peers' even). */
  streamDirections(): { outbound: number; inbound: number } { return this.streams.directions() }
  /** Whether the bridge has stopped reading this page's frames for now (it is over a cap). */
  get paused(): boolean { return this.pausedTimer !== null }

  // ---- StreamOwner ----
  /** Control frames (DATA goes through sendData, into pooled buffers). */
  send(frame: BridgeToPageFrame): void {
    if (this.ended) return
    this.queue(encodeFrame(frame), undefined)
  }
  sendData(stream: number, parts: Uint8Array[], length: number): void {
    if (this.ended) return
    const pooled = dataFrames.take(DATA_HEADER_BYTES + length)
    this.queue(encodeDataFrameInto(stream, parts, length, pooled), pooled)
  }

  /** Hands a frame to the WebSocket; `pooled`, its buffer, goes back to the pool once written. */
  private queue(bytes: Uint8Array, pooled: Buffer | undefined): void {
    const cost = bytes.length + QUEUED_FRAME_COST
    this.wsQueued += cost
    this.host.accountTotal(cost)
    this.ws.send(bytes, { binary: true }, () => {
      if (pooled) dataFrames.give(pooled) // written (or failed): nothing reads it any more
      if (this.ended) return // end() released the whole queue at once
      const wasOver = this.overloaded()
      this.wsQueued -= cost
      this.host.accountTotal(-cost)
      // back under the cap by this queue alone (it counts towards it, as account()'s bytes do):
      // credit owed goes out and sockets held back read again, else they wait for an unrelated event
      if (wasOver && !this.overloaded()) this.streams.grantAll()
      // the queue just drained below the mark: the streams it held back may read again
      if (this.wsQueued + cost > WS_HIGH_WATER && this.wsQueued <= WS_HIGH_WATER) this.pumpAll()
      if (this.paused) this.checkPressure()
    })
    if (this.wsQueued > this.limits.maxQueuedToPage) this.checkPressure()
  }
  account(delta: number, fromPage: boolean): void {
    const wasOver = this.overloaded()
    this.bufferedBytes += delta
    if (fromPage) this.fromPageBytes += delta
    this.host.accountTotal(delta, fromPage)
    // back under the cap: credit owed goes out, and sockets held back read again
    if (wasOver && delta < 0 && !this.overloaded()) this.streams.grantAll()
    if (fromPage) this.checkPressure()
  }
  congested(): boolean { return this.wsQueued > WS_HIGH_WATER }
  overloaded(): boolean {
    return this.buffered > this.limits.maxBufferedPerSession || (this.host.totalOverloaded() && this.buffered > this.host.fairShare())
  }
  streamEnded(stream: RelayStream): void {
    this.streams.ended(stream)
  }
  streamOpened(transport: PeerTransport): void {
    this.host.streamOpened(transport)
  }
  protocolError(reason: string): void {
    this.close(CloseCode.ProtocolError, reason, WS_CLOSE_PROTOCOL_ERROR)
  }

  /**
   * Stops reading the page's frames while the bridge holds more of its bytes than allowed (sent
   * into streams still connecting or into TCP sockets that do not drain, or replies queued to a
   * page that does not read them), and reads on once it holds less. Credit alone does not bound
   * these: a page has a whole window on every stream from the start. Bytes on their way to the
   * page never pause it: the CREDIT frames that let them go are among the frames it sends.
   */
  private checkPressure(): void {
    if (this.ended || this.closing) return
    if (this.wsQueued > 2 * this.limits.maxQueuedToPage) {
      this.close(CloseCode.Overloaded, 'the page does not read what the bridge sends it')
      this.ws.terminate() // what is queued would never be read: let it go now
      return
    }
    const over = this.fromPageBytes > this.limits.maxBufferedPerSession ||
      (this.fromPageBytes > 0 && this.host.pageBytesOverloaded()) ||
      this.wsQueued > this.limits.maxQueuedToPage
    if (over && !this.pausedTimer) {
      this.pausedSinceBeat = true
      log.info({ sid: this.sid, fromPage: this.fromPageBytes, queued: this.wsQueued }, 'page held back (over its caps)')
      this.ws.pause()
      this.pausedTimer = setTimeout(() => {
        const unread = this.wsQueued > this.limits.maxQueuedToPage
        this.close(CloseCode.Overloaded, unread
          ? 'the page does not read what the bridge sends it'
          : `the bridge held too much of this page's data for ${Math.round(this.limits.maxPausedMs / 1000)} s`)
        if (unread) this.ws.terminate() // what is queued would never be read: let it go now
      }, this.limits.maxPausedMs)
    } else if (!over && this.pausedTimer) {
      clearTimeout(this.pausedTimer)
      this.pausedTimer = null
      this.ws.resume()
    }
  }

  /** Ends the session: GOODBYE with the reason, then the WebSocket close. */
  close(code: CloseCode, reason: string, wsCode = code === CloseCode.ShuttingDown ? WS_CLOSE_SHUTTING_DOWN : WS_CLOSE_OVERLOADED): void {
    if (this.ended || this.closing) return
    this.closing = true
    this.endReason = CloseCode[code] ?? String(code)
    log[code === CloseCode.ShuttingDown ? 'info' : 'warn']({ sid: this.sid, code: this.endReason, reason }, 'page session closed by the bridge')
    this.send({ type: FrameType.Goodbye, code, reason })
    // close reasons are limited to 123 bytes by the WebSocket protocol
    this.ws.close(wsCode, Buffer.from(reason).subarray(0, 120).toString())
    this.end()
  }

  /**
   * Runs work on this page's behalf; an exception ends this session (with a log line and the
   * reason), never the bridge or another page's session.
   */
  guard(what: string, fn: () => void): void {
    try {
      fn()
    } catch (err) {
      log.error({ sid: this.sid, err }, `${what} failed`)
      this.protocolError(`the bridge could not handle ${what} (${(err as Error).message}); this session is closed`)
    }
  }

  /**
   * An inbound peer for a torrent this page registered, `head` its first plaintext bytes (its
   * handshake); false when the page is at a cap.
   */
  acceptInbound(infoHash: string, socket: Socket, head: Uint8Array, peer: PeerAddress, crypto: PeerCrypto): boolean {
    return !this.ended && this.streams.accept(infoHash, socket, head, peer, crypto)
  }

  private pumpAll(): void {
    this.streams.pump()
    this.webSeeds.drained()
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.ended) return
    if (!isBinary) return this.protocolError('text frame: the bridge speaks binary frames only')
    const decoded = decodePageFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    if (!decoded.ok) return this.protocolError(decoded.reason)
    this.dispatch(decoded.frame)
  }

  private dispatch(frame: PageToBridgeFrame): void {
    switch (frame.type) {
      case FrameType.Register:
        if (this.torrents.register(frame)) this.host.registered(this, frame.infoHash)
        return
      case FrameType.Unregister:
        return this.unregister(frame.infoHash)
      case FrameType.Announce:
        return this.torrents.announce(frame)
      case FrameType.Open:
        return this.streams.open(frame)
      case FrameType.WebSeedFetch:
        return this.webSeeds.start(frame)
      case FrameType.WebSeedCancel:
        return this.webSeeds.cancel(frame.fetch)
      case FrameType.Data:
      case FrameType.Credit:
      case FrameType.Close:
        return this.streams.onFrame(frame)
    }
  }

  /** A peer for a registered torrent from the bridge's trackers, DHT or LSD, in whatever shape it came. */
  sendPeer(infoHash: string, source: BridgePeerSource, host: unknown, port: unknown): void {
    if (this.ended) return
    this.torrents.sendPeer(infoHash, source, host, port)
  }

  /** `goodbye`: the page went without a word; its trackers are told 'stopped' (within the goodbye budget). */
  private unregister(infoHash: string, goodbye = false): void {
    if (!this.torrents.unregister(infoHash, goodbye)) return
    this.webSeeds.forget(infoHash)
    this.host.unregistered(this, infoHash)
    this.streams.closeTorrent(infoHash)
  }

  private end(): void {
    if (this.ended) return
    this.ended = true
    clearInterval(this.heartbeat)
    if (this.pausedTimer) clearTimeout(this.pausedTimer)
    this.pausedTimer = null
    this.streams.closeAll()
    for (const infoHash of this.torrents.infoHashes()) this.unregister(infoHash, true)
    this.torrents.clear()
    this.webSeeds.clear()
    this.host.accountTotal(-this.wsQueued) // ws callbacks after close must not count twice
    this.wsQueued = 0
    this.metrics.sessionsClosed.inc({ reason: this.endReason })
    if (this.endReason === 'page') log.info({ sid: this.sid }, 'page disconnected')
    this.host.sessionEnded(this)
    if (this.ws.readyState === this.ws.OPEN) this.ws.terminate()
  }
}

/**
 * One page's session over its WebSocket: decodes its frames, keeps its relayed streams (its
 * registered torrents and their discovery: page-torrents.ts), and enforces its caps. A frame that
 * breaks the protocol ends this session (with the reason, in a GOODBYE frame and the close
 * message) and nothing else.
 */
import type { WebSocket } from 'ws'
import { DATA_HEADER_BYTES, decodePageFrame, encodeDataFrameInto, encodeFrame } from '../src/core/bridge-codec'
import { canonicalPeer } from '../src/core/peer-address'
import {
  CloseCode, FrameType, WS_CLOSE_OVERLOADED, WS_CLOSE_PROTOCOL_ERROR, WS_CLOSE_SHUTTING_DOWN,
  type BridgePeerSource, type BridgeToPageFrame, type OpenFrame, type PageToBridgeFrame, type PeerAddress, type RouteFrame,
} from '../src/protocol/bridge-frames'
import type { Resolver } from './checked-address'
import { FramePool } from './frame-pool'
import { log, sessionId } from './log'
import type { BridgeMetrics, DialOutcome } from './metrics'
import type { Outgoing } from './outgoing'
import type { BridgeLimits } from './limits'
import { TokenBucket } from './limits'
import type { EncryptionMode, PeerCrypto, PeerTransport } from './mse/peer-crypto'
import { checkPeerDestination, type Cidr } from './policy'
import { PageTorrents } from './page-torrents'
import { RelayStream, type StreamOwner } from './relay-stream'
import { RequestSlots } from './request-slots'
import { WebSeedFetches } from './web-seed-fetches'

/** What a session needs from the bridge that holds every session. */
export interface SessionHost {
  readonly limits: BridgeLimits
  readonly metrics: BridgeMetrics
  readonly allowNet: readonly Cidr[]
  readonly peerPort: number
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

/** How a refused OPEN counts in bridge_dials_total. */
const REFUSAL_OUTCOME: Partial<Record<CloseCode, DialOutcome>> = {
  [CloseCode.Refused]: 'refused_policy',
  [CloseCode.RateLimited]: 'refused_rate',
  [CloseCode.NotRegistered]: 'refused_unregistered',
  [CloseCode.TooManyStreams]: 'refused_caps',
  [CloseCode.Overloaded]: 'refused_caps',
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
  private readonly streams = new Map<number, RelayStream>()
  private readonly dials: TokenBucket
  private readonly webSeeds: WebSeedFetches
  private nextInboundId = 2
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
  private readonly stallCheck: NodeJS.Timeout

  constructor(private readonly ws: WebSocket, private readonly host: SessionHost, readonly remote: string) {
    this.limits = host.limits
    this.metrics = host.metrics
    this.encryption = host.encryption
    this.outgoing = host.outgoing
    log.info({ sid: this.sid, remote }, 'page connected')
    this.dials = new TokenBucket(host.limits.dialsPerSecond, host.limits.dialBurst)
    this.torrents = new PageTorrents(this, host)
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
    // peers that take nothing of what the page sends them are let go, not left holding its bytes
    this.stallCheck = setInterval(() => this.guard('a stall check', () => {
      const now = Date.now()
      for (const s of [...this.streams.values()]) if (s.writeStalledSince(now) >= this.limits.writeStallMs) s.close(CloseCode.Idle, 'the peer takes none of the data sent to it', true)
    }), Math.min(5000, host.limits.writeStallMs))
    this.send({ type: FrameType.Welcome, peerPort: host.peerPort, maxStreams: host.limits.maxStreamsPerSession, dialRate: host.limits.dialsPerSecond, dht: true })
    const route = host.routeFrame()
    if (route) this.send(route)
  }

  /** Bytes the bridge holds for this page right now (queued to TCP sockets or to the WebSocket). */
  get buffered(): number { return this.bufferedBytes + this.wsQueued }
  get streamCount(): number { return this.streams.size }
  /** Its streams by who opened them (the page's ids are odd, inbound peers' even). */
  streamDirections(): { outbound: number; inbound: number } {
    let outbound = 0
    for (const id of this.streams.keys()) if (id % 2 === 1) outbound++
    return { outbound, inbound: this.streams.size - outbound }
  }
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
      this.wsQueued -= cost
      this.host.accountTotal(-cost)
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
    if (wasOver && delta < 0 && !this.overloaded()) for (const s of this.streams.values()) { s.grant(); s.pump() }
    if (fromPage) this.checkPressure()
  }
  congested(): boolean { return this.wsQueued > WS_HIGH_WATER }
  overloaded(): boolean {
    return this.buffered > this.limits.maxBufferedPerSession || (this.host.totalOverloaded() && this.buffered > this.host.fairShare())
  }
  streamEnded(stream: RelayStream): void {
    if (this.streams.get(stream.id) === stream) {
      this.streams.delete(stream.id)
      this.host.releaseStream()
    }
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
  acceptInbound(infoHash: string, socket: import('node:net').Socket, head: Uint8Array, peer: PeerAddress, crypto: PeerCrypto): boolean {
    if (this.ended || this.streams.size >= this.limits.maxStreamsPerSession || this.overloaded()) return false
    // Trackers and the DHT hand the page its own address (the bridge's peer port): the page then
    // dials itself and this handshake carries its own peer id. Refuse it, so that no connection
    // slot goes to a loop. (webtorrent's own self-check compares a property that does not exist.)
    const ownPeerId = this.torrents.peerId(infoHash)
    if (ownPeerId && Buffer.from(head.subarray(48, 68)).toString('hex') === ownPeerId.toLowerCase()) return false
    if (!this.host.reserveStream()) return false
    const id = this.nextInboundId
    this.nextInboundId += 2
    try {
      this.send({ type: FrameType.Incoming, stream: id, infoHash, peer })
      this.streams.set(id, new RelayStream(id, infoHash, peer, this, socket, head, crypto))
    } catch (err) {
      if (!this.streams.has(id)) this.host.releaseStream() // the slot was never a stream's
      throw err
    }
    return true
  }

  private pumpAll(): void {
    for (const s of this.streams.values()) s.pump()
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
        return this.open(frame)
      case FrameType.WebSeedFetch:
        return this.webSeeds.start(frame)
      case FrameType.WebSeedCancel:
        return this.webSeeds.cancel(frame.fetch)
      case FrameType.Data:
      case FrameType.Credit:
      case FrameType.Close: {
        const stream = this.streams.get(frame.stream)
        // a frame for a stream that just ended crossed our CLOSE on the wire: not an error
        if (!stream) return
        if (frame.type === FrameType.Data) stream.onData(frame.data)
        else if (frame.type === FrameType.Credit) stream.onCredit(frame.bytes)
        else stream.close(CloseCode.Normal, frame.reason, false)
      }
    }
  }

  /** A peer for a registered torrent from the bridge's trackers, DHT or LSD, in whatever shape it came. */
  sendPeer(infoHash: string, source: BridgePeerSource, host: unknown, port: unknown): void {
    if (this.ended) return
    this.torrents.sendPeer(infoHash, source, host, port)
  }

  private open(frame: OpenFrame): void {
    const refuse = (code: CloseCode, reason: string) => {
      this.metrics.dials.inc({ outcome: REFUSAL_OUTCOME[code] ?? 'refused_caps' })
      log.debug({ sid: this.sid, code: CloseCode[code], reason }, 'dial refused')
      this.send({ type: FrameType.Close, stream: frame.stream, code, reason })
    }
    if (frame.stream % 2 !== 1) return this.protocolError(`stream ${frame.stream}: pages open odd stream ids`)
    if (this.streams.has(frame.stream)) return this.protocolError(`stream ${frame.stream} is already open`)
    if (!this.torrents.has(frame.infoHash)) return refuse(CloseCode.NotRegistered, 'register the torrent before dialing its peers')
    // the codec gives IP bytes as canonical text already; once more here, as every address is
    const peer = canonicalPeer(frame.peer.host, frame.peer.port)
    if (!peer) return refuse(CloseCode.Refused, 'not an IP address and port')
    const verdict = checkPeerDestination(peer.host, peer.port, this.host.allowNet)
    if (!verdict.ok && !this.host.lanPeer(frame.infoHash, peer)) return refuse(CloseCode.Refused, verdict.reason)
    if (this.streams.size >= this.limits.maxStreamsPerSession) return refuse(CloseCode.TooManyStreams, `this page has ${this.streams.size} connections open, the most the bridge allows`)
    if (!this.dials.take() || !this.host.takeDial()) return refuse(CloseCode.RateLimited, 'too many connection attempts per second; try again shortly')
    if (this.overloaded()) return refuse(CloseCode.Overloaded, 'the bridge holds too much unsent data for this page')
    if (!this.host.reserveStream()) return refuse(CloseCode.TooManyStreams, 'the bridge has as many connections open as it allows')
    this.streams.set(frame.stream, new RelayStream(frame.stream, frame.infoHash, peer, this))
  }

  /** `goodbye`: the page went without a word; its trackers are told 'stopped' (within the goodbye budget). */
  private unregister(infoHash: string, goodbye = false): void {
    if (!this.torrents.unregister(infoHash, goodbye)) return
    this.webSeeds.forget(infoHash)
    this.host.unregistered(this, infoHash)
    for (const s of [...this.streams.values()]) if (s.infoHash === infoHash) s.close(CloseCode.Normal, 'torrent unregistered', true)
  }

  private end(): void {
    if (this.ended) return
    this.ended = true
    clearInterval(this.heartbeat)
    clearInterval(this.stallCheck)
    if (this.pausedTimer) clearTimeout(this.pausedTimer)
    this.pausedTimer = null
    for (const s of [...this.streams.values()]) s.close(CloseCode.ShuttingDown, 'session ended', false)
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

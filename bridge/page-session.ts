/**
 * One page's session over its WebSocket: decodes its frames, keeps its registered torrents and
 * its relayed streams, and enforces its caps. A frame that breaks the protocol ends this session
 * (with the reason, in a GOODBYE frame and the close message) and nothing else.
 */
import type { WebSocket } from 'ws'
import { DATA_HEADER_BYTES, decodePageFrame, encodeDataFrameInto, encodeFrame } from '../src/core/bridge-codec'
import {
  CloseCode, FrameType, WS_CLOSE_OVERLOADED, WS_CLOSE_PROTOCOL_ERROR, WS_CLOSE_SHUTTING_DOWN,
  type AnnounceFrame, type BridgeToPageFrame, type OpenFrame, type PageToBridgeFrame, type PeerAddress,
} from '../src/protocol/bridge-frames'
import { FramePool } from './frame-pool'
import type { BridgeLimits } from './limits'
import { TokenBucket } from './limits'
import type { EncryptionMode, PeerCrypto, PeerTransport } from './mse/peer-crypto'
import { checkPeerDestination, type Cidr } from './policy'
import { RelayStream, type StreamOwner } from './relay-stream'
import { TrackerAnnouncer, type AnnounceStats } from './tracker-announcer'

/** What a session needs from the bridge that holds every session. */
export interface SessionHost {
  readonly limits: BridgeLimits
  readonly allowNet: readonly Cidr[]
  readonly peerPort: number
  readonly encryption: EncryptionMode
  /** Counts against the bridge-wide caps; false when a cap is reached. */
  reserveStream(): boolean
  releaseStream(): void
  /** A stream's TCP side came up with this transport (counted for stats). */
  streamOpened(transport: PeerTransport): void
  takeDial(): boolean
  accountTotal(delta: number): void
  totalOverloaded(): boolean
  registered(session: PageSession, infoHash: string): void
  unregistered(session: PageSession, infoHash: string): void
  wantDht(session: PageSession, infoHash: string, on: boolean): void
  sessionEnded(session: PageSession): void
}

interface Registration {
  peerId: string
  stats: AnnounceStats
  trackers: TrackerAnnouncer | null
  dht: boolean
}

/** Bytes queued in the WebSocket beyond which the session stops reading its TCP sockets. */
const WS_HIGH_WATER = 2 * 1024 * 1024
/** DATA frame buffers shared by every session: as many as one full WebSocket queue holds. */
const dataFrames = new FramePool(WS_HIGH_WATER)

export class PageSession implements StreamOwner {
  readonly limits: BridgeLimits
  readonly encryption: EncryptionMode
  readonly registrations = new Map<string, Registration>()
  private readonly streams = new Map<number, RelayStream>()
  private readonly dials: TokenBucket
  private nextInboundId = 2
  private bufferedBytes = 0
  private wsQueued = 0
  private ended = false
  private alive = true
  private readonly heartbeat: NodeJS.Timeout

  constructor(private readonly ws: WebSocket, private readonly host: SessionHost, readonly remote: string) {
    this.limits = host.limits
    this.encryption = host.encryption
    this.dials = new TokenBucket(host.limits.dialsPerSecond, host.limits.dialBurst)
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary))
    ws.on('close', () => this.end())
    ws.on('error', () => this.end())
    ws.on('pong', () => { this.alive = true })
    this.heartbeat = setInterval(() => {
      if (!this.alive) { ws.terminate(); return }
      this.alive = false
      ws.ping()
    }, host.limits.heartbeatMs)
    this.send({ type: FrameType.Welcome, peerPort: host.peerPort, maxStreams: host.limits.maxStreamsPerSession, dialRate: host.limits.dialsPerSecond, dht: true })
  }

  /** Bytes the bridge holds for this page right now (queued to TCP sockets or to the WebSocket). */
  get buffered(): number { return this.bufferedBytes + this.wsQueued }
  get streamCount(): number { return this.streams.size }

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
    this.wsQueued += bytes.length
    this.host.accountTotal(bytes.length)
    this.ws.send(bytes, { binary: true }, () => {
      if (pooled) dataFrames.give(pooled) // written (or failed): nothing reads it any more
      if (this.ended) return // end() released the whole queue at once
      this.wsQueued -= bytes.length
      this.host.accountTotal(-bytes.length)
      // the queue just drained below the mark: the streams it held back may read again
      if (this.wsQueued + bytes.length > WS_HIGH_WATER && this.wsQueued <= WS_HIGH_WATER) this.pumpAll()
    })
  }
  account(delta: number): void {
    const wasOver = this.overloaded()
    this.bufferedBytes += delta
    this.host.accountTotal(delta)
    if (wasOver && delta < 0 && !this.overloaded()) for (const s of this.streams.values()) s.grant()
  }
  congested(): boolean { return this.wsQueued > WS_HIGH_WATER }
  overloaded(): boolean { return this.buffered > this.limits.maxBufferedPerSession || this.host.totalOverloaded() }
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

  /** Ends the session: GOODBYE with the reason, then the WebSocket close. */
  close(code: CloseCode, reason: string, wsCode = code === CloseCode.ShuttingDown ? WS_CLOSE_SHUTTING_DOWN : WS_CLOSE_OVERLOADED): void {
    if (this.ended) return
    this.send({ type: FrameType.Goodbye, code, reason })
    // close reasons are limited to 123 bytes by the WebSocket protocol
    this.ws.close(wsCode, Buffer.from(reason).subarray(0, 120).toString())
    this.end()
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
    const ownPeerId = this.registrations.get(infoHash)?.peerId
    if (ownPeerId && Buffer.from(head.subarray(48, 68)).toString('hex') === ownPeerId.toLowerCase()) return false
    if (!this.host.reserveStream()) return false
    const id = this.nextInboundId
    this.nextInboundId += 2
    this.send({ type: FrameType.Incoming, stream: id, infoHash, peer })
    this.streams.set(id, new RelayStream(id, infoHash, peer, this, socket, head, crypto))
    return true
  }

  private pumpAll(): void {
    for (const s of this.streams.values()) s.pump()
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
      case FrameType.Register: {
        if (this.registrations.has(frame.infoHash)) return
        if (this.registrations.size >= this.limits.maxStreamsPerSession) return this.protocolError('too many torrents registered')
        this.registrations.set(frame.infoHash, { peerId: frame.peerId, stats: { uploaded: 0, downloaded: 0, left: -1 }, trackers: null, dht: false })
        this.host.registered(this, frame.infoHash)
        return
      }
      case FrameType.Unregister:
        return this.unregister(frame.infoHash)
      case FrameType.Announce:
        return this.announce(frame)
      case FrameType.Open:
        return this.open(frame)
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

  private announce(frame: AnnounceFrame): void {
    const reg = this.registrations.get(frame.infoHash)
    if (!reg) {
      this.send({ type: FrameType.Notice, infoHash: frame.infoHash, message: 'announce for a torrent this page did not register' })
      return
    }
    reg.stats = { uploaded: frame.uploaded, downloaded: frame.downloaded, left: frame.left }
    reg.trackers ??= new TrackerAnnouncer({
      infoHash: frame.infoHash,
      peerId: reg.peerId,
      peerPort: this.host.peerPort,
      allowNet: this.host.allowNet,
      stats: () => reg.stats,
      onPeer: (addr) => this.trackerPeer(frame.infoHash, addr),
      onNotice: (message) => this.send({ type: FrameType.Notice, infoHash: frame.infoHash, message }),
      onTracker: (status) => this.send({ type: FrameType.Tracker, infoHash: frame.infoHash, ...status }),
    })
    void reg.trackers.announce(frame.trackers, frame.event)
    const dht = frame.dht && frame.event !== 'stopped'
    if (dht !== reg.dht) {
      reg.dht = dht
      this.host.wantDht(this, frame.infoHash, dht)
    }
  }

  /** Peers from trackers and the DHT, batched a little so one frame carries many. */
  private pendingPeers = new Map<string, { source: 'tracker' | 'dht'; peers: PeerAddress[]; timer: NodeJS.Timeout }>()
  sendPeer(infoHash: string, source: 'tracker' | 'dht', peer: PeerAddress): void {
    if (this.ended || !this.registrations.has(infoHash)) return
    if (!checkPeerDestination(peer.host, peer.port, this.host.allowNet).ok) return // the page could not dial it anyway
    const key = `${source}:${infoHash}`
    let batch = this.pendingPeers.get(key)
    if (!batch) {
      batch = { source, peers: [], timer: setTimeout(() => this.flushPeers(key, infoHash), 50) }
      this.pendingPeers.set(key, batch)
    }
    batch.peers.push(peer)
    if (batch.peers.length >= 500) this.flushPeers(key, infoHash)
  }
  private flushPeers(key: string, infoHash: string): void {
    const batch = this.pendingPeers.get(key)
    if (!batch) return
    clearTimeout(batch.timer)
    this.pendingPeers.delete(key)
    this.send({ type: FrameType.Peers, infoHash, source: batch.source, peers: batch.peers })
  }

  private trackerPeer(infoHash: string, addr: string): void {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(addr)
    if (m) this.sendPeer(infoHash, 'tracker', { host: m[1]!, port: Number(m[2]) })
  }

  private open(frame: OpenFrame): void {
    const refuse = (code: CloseCode, reason: string) => this.send({ type: FrameType.Close, stream: frame.stream, code, reason })
    if (frame.stream % 2 !== 1) return this.protocolError(`stream ${frame.stream}: pages open odd stream ids`)
    if (this.streams.has(frame.stream)) return this.protocolError(`stream ${frame.stream} is already open`)
    if (!this.registrations.has(frame.infoHash)) return refuse(CloseCode.NotRegistered, 'register the torrent before dialing its peers')
    const verdict = checkPeerDestination(frame.peer.host, frame.peer.port, this.host.allowNet)
    if (!verdict.ok) return refuse(CloseCode.Refused, verdict.reason)
    if (this.streams.size >= this.limits.maxStreamsPerSession) return refuse(CloseCode.TooManyStreams, `this page has ${this.streams.size} connections open, the most the bridge allows`)
    if (!this.dials.take() || !this.host.takeDial()) return refuse(CloseCode.RateLimited, 'too many connection attempts per second; try again shortly')
    if (this.overloaded()) return refuse(CloseCode.Overloaded, 'the bridge holds too much unsent data for this page')
    if (!this.host.reserveStream()) return refuse(CloseCode.TooManyStreams, 'the bridge has as many connections open as it allows')
    this.streams.set(frame.stream, new RelayStream(frame.stream, frame.infoHash, frame.peer, this))
  }

  private unregister(infoHash: string): void {
    const reg = this.registrations.get(infoHash)
    if (!reg) return
    reg.trackers?.destroy()
    if (reg.dht) this.host.wantDht(this, infoHash, false)
    this.registrations.delete(infoHash)
    this.host.unregistered(this, infoHash)
    for (const s of [...this.streams.values()]) if (s.infoHash === infoHash) s.close(CloseCode.Normal, 'torrent unregistered', true)
  }

  private end(): void {
    if (this.ended) return
    this.ended = true
    clearInterval(this.heartbeat)
    for (const s of [...this.streams.values()]) s.close(CloseCode.ShuttingDown, 'session ended', false)
    for (const infoHash of [...this.registrations.keys()]) this.unregister(infoHash)
    for (const b of this.pendingPeers.values()) clearTimeout(b.timer)
    this.pendingPeers.clear()
    this.host.accountTotal(-this.wsQueued) // ws callbacks after close must not count twice
    this.wsQueued = 0
    this.host.sessionEnded(this)
    if (this.ws.readyState === this.ws.OPEN) this.ws.terminate()
  }
}

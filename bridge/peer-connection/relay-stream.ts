/**
 * One TCP connection relayed to a page: credit-based flow control both ways, the handshake gate,
 * and the stream's timeouts. The bridge's memory for a stream is bounded by the credit it gave the
 * page (page -> TCP) and by a frame plus one socket read (TCP -> page: the socket is paused while
 * the page has no credit for us), so a slow page stalls its peer, not the bridge.
 *
 * TCP -> page, DATA frames hold whole BitTorrent messages where they can (core/peer-connection/message-boundaries.ts),
 * up to a read as large as the stream can pass on (shared-reads.ts) plus what waited for credit or
 * a draining WebSocket: fewer, fuller frames that the page parses without copying.
 */
import { concatBytes } from '../../src/core/bytes'
import type net from 'node:net'
import { isHandshakeFor } from '../../src/core/peer-connection/peer-handshake'
import { MessageBoundaries } from '../../src/core/peer-connection/message-boundaries'
import {
  CloseCode, FrameType, HANDSHAKE_LENGTH, MAX_DATA_PAYLOAD, MAX_STREAM_CREDIT, STREAM_WINDOW,
  type BridgeToPageFrame, type PeerAddress,
} from '../../src/protocol/bridge-frames'
import type { BridgeLimits } from '../api-gateway/limits'
import type { BridgeMetrics } from '../metrics'
import { PLAINTEXT, type EncryptionMode, type PeerCrypto, type PeerTransport } from './mse/peer-crypto'
import type { Outgoing } from './outgoing'
import { dialPeer, type PeerDial } from './peer-dialer'
import { setReadSize, setReader } from './shared-reads'

/** What a stream needs from its page's session. */
export interface StreamOwner {
  readonly limits: BridgeLimits
  readonly metrics: BridgeMetrics
  /** MSE policy for the streams this owner dials. */
  readonly encryption: EncryptionMode
  /** How the streams it dials connect: directly, from an interface, or through the proxy. */
  readonly outgoing: Outgoing
  send(frame: BridgeToPageFrame): void
  /** A DATA frame whose payload is `parts` (`length` bytes in all), gathered into one frame. */
  sendData(stream: number, parts: Uint8Array[], length: number): void
  /**
   * Bytes the bridge holds for this page went up (or down, when negative); `fromPage` when they
   * are the page's own (held until a connection opens, or on their way into a TCP socket).
   */
  account(delta: number, fromPage: boolean): void
  /** The WebSocket's send queue is full: stop reading sockets for now. */
  congested(): boolean
  /** Over the page's buffered-bytes cap: hold back credit until it drains. */
  overloaded(): boolean
  streamEnded(stream: RelayStream): void
  /** The stream's TCP side is ready to carry the page's bytes, with this transport. */
  streamOpened(transport: PeerTransport): void
  protocolError(reason: string): void
}

type State = 'handshake' | 'connecting' | 'open' | 'closed'

export class RelayStream {
  private state: State = 'handshake'
  private socket: net.Socket | null
  private dialing: PeerDial | null = null
  /** MSE's RC4 on the TCP side (the page always speaks plaintext), or none. */
  private crypto: PeerCrypto
  /** Bytes the page may still send us (we granted), and bytes written to TCP not yet re-granted. */
  private pageCredit = STREAM_WINDOW
  private ungranted = 0
  /** Bytes we may still send the page (it granted). */
  private sendCredit = STREAM_WINDOW
  /** The page's bytes before the handshake is checked and the socket is up. */
  private head: Uint8Array[] = []
  private headBytes = 0
  /** TCP bytes waiting for the page's credit (or for the rest of a message). */
  private toPage: Uint8Array[] = []
  private toPageBytes = 0
  /** TCP bytes sent on to the page so far, and where the peer's messages end. */
  private sentToPage = 0
  private readonly messages = new MessageBoundaries()
  /** The page's bytes handed to the socket whose write has not completed, and when one last completed (or began, from none). */
  private inSocket = 0
  private lastWriteDone = 0
  private remoteEnded = false
  private timer: NodeJS.Timeout | null = null
  /**
   * A dialed peer's handshake deadline, from OPENED until its first 68 bytes: a peer that accepts
   * and says nothing held one of the page's capped streams until webtorrent gave up (25 s) or the
   * idle time (5 min). The bridge's handshakeTimeoutMs, 10 s as libtorrent's handshake_timeout.
   */
  private peerHandshakeTimer: NodeJS.Timeout | null = null
  private fromPeerBytes = 0

  /**
   * `socket` is null for an outbound stream (dialed once the page's handshake checks out) and
   * the accepted connection for an inbound one, whose first plaintext bytes (`initial`, decrypted
   * already when `crypto` says MSE) the page gets at once.
   */
  constructor(
    readonly id: number,
    readonly infoHash: string,
    readonly peer: PeerAddress,
    private readonly owner: StreamOwner,
    socket: net.Socket | null = null,
    initial?: Uint8Array,
    crypto: PeerCrypto = PLAINTEXT,
  ) {
    this.socket = socket
    this.crypto = crypto
    this.timer = setTimeout(() => this.close(CloseCode.BadHandshake, 'the page sent no handshake in time', true), owner.limits.handshakeTimeoutMs)
    if (socket) {
      this.attach(socket)
      socket.pause() // until the page's handshake is checked
      if (initial?.length) this.fromPeer(initial)
    }
  }

  get buffered(): number {
    return this.headBytes + this.toPageBytes + this.inSocket
  }

  /** Milliseconds the socket has held the page's bytes without taking any of them (0 when it holds none). */
  writeStalledSince(now: number): number {
    return this.inSocket > 0 ? now - this.lastWriteDone : 0
  }

  /** DATA from the page. */
  onData(data: Uint8Array): void {
    if (this.state === 'closed') return
    if (data.length > this.pageCredit) {
      this.owner.protocolError(`stream ${this.id}: the page sent ${data.length} bytes with ${this.pageCredit} credit`)
      return
    }
    this.pageCredit -= data.length
    if (this.state === 'open') {
      this.toSocket(data)
      return
    }
    // handshake or connecting: hold the bytes. A page sends its 68-byte handshake and then waits
    // for the peer's; the credit we gave (a whole window on every stream) is no bound here, as a
    // page that filled it on each of its connecting streams held hundreds of MiB in the bridge.
    if (this.headBytes + data.length > this.owner.limits.maxPreOpenBytesPerStream) {
      this.owner.protocolError(`stream ${this.id}: more than ${this.owner.limits.maxPreOpenBytesPerStream} bytes before the connection opened`)
      return
    }
    this.head.push(data.slice())
    this.headBytes += data.length
    this.owner.account(data.length, true)
    if (this.state === 'handshake' && this.headBytes >= HANDSHAKE_LENGTH) this.checkHandshake()
  }

  /** CREDIT from the page. */
  onCredit(bytes: number): void {
    if (this.state === 'closed') return
    if (this.sendCredit + bytes > MAX_STREAM_CREDIT) {
      this.owner.protocolError(`stream ${this.id}: credit beyond ${MAX_STREAM_CREDIT} bytes`)
      return
    }
    this.sendCredit += bytes
    this.pump()
  }

  /**
   * Sends queued TCP bytes within the page's credit, cut after whole messages; reads on while
   * less than a frame waits (the rest of a message, or a fuller frame once the WebSocket drains).
   */
  pump(): void {
    if (this.state === 'closed') return
    while (this.toPageBytes > 0 && this.sendCredit > 0 && !this.owner.congested()) {
      const limit = Math.min(this.sendCredit, this.toPageBytes, MAX_DATA_PAYLOAD)
      // the peer hung up: no more of a message will come, so the tail goes as it is
      const n = this.remoteEnded ? limit : this.messages.cut(this.sentToPage, limit, MAX_DATA_PAYLOAD)
      if (n === 0) break
      this.sendToPage(n)
    }
    if (this.toPageBytes === 0 && this.remoteEnded) this.close(CloseCode.PeerClosed, 'the peer closed the connection', true)
    else if (this.toPageBytes >= this.holdLimit() || this.owner.overloaded()) this.socket?.pause() // the page's cap holds: no more reads for it
    else if (this.state === 'open') this.socket?.resume()
    // the next read takes no more than can go on at once: what waits past it is a copy (see fromPeer)
    if (this.socket) setReadSize(this.socket, this.holdLimit() - this.toPageBytes)
  }

  /** TCP bytes held at most before the socket pauses: a frame, or as much as the page's credit lets out. */
  private holdLimit(): number {
    return Math.min(MAX_DATA_PAYLOAD, this.sendCredit)
  }

  /** The first `n` queued TCP bytes, as one DATA frame. */
  private sendToPage(n: number): void {
    const parts: Uint8Array[] = []
    let left = n
    while (left > 0) {
      const first = this.toPage[0]!
      if (first.length <= left) {
        parts.push(first)
        this.toPage.shift()
        left -= first.length
      } else {
        parts.push(first.subarray(0, left))
        this.toPage[0] = first.subarray(left)
        left = 0
      }
    }
    this.toPageBytes -= n
    this.sentToPage += n
    this.sendCredit -= n
    this.owner.account(-n, false)
    this.owner.sendData(this.id, parts, n)
  }

  /** Credit we owe the page for bytes already written to TCP; held while the page is over its cap. */
  grant(): void {
    if (this.state === 'closed' || this.ungranted === 0 || this.owner.overloaded()) return
    this.pageCredit += this.ungranted
    this.owner.send({ type: FrameType.Credit, stream: this.id, bytes: this.ungranted })
    this.ungranted = 0
  }

  /** Ends the stream; tells the page unless it asked for it. */
  close(code: CloseCode, reason: string, notifyPage: boolean): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    if (this.timer) clearTimeout(this.timer)
    if (this.peerHandshakeTimer) clearTimeout(this.peerHandshakeTimer)
    this.owner.account(-(this.headBytes + this.inSocket), true)
    this.owner.account(-this.toPageBytes, false)
    this.head = []
    this.toPage = []
    this.headBytes = this.toPageBytes = this.inSocket = 0
    this.dialing?.abort()
    this.dialing = null
    this.socket?.destroy()
    if (notifyPage) this.owner.send({ type: FrameType.Close, stream: this.id, code, reason })
    this.owner.streamEnded(this)
  }

  private checkHandshake(): void {
    const first = concatBytes(this.head, HANDSHAKE_LENGTH)
    if (!isHandshakeFor(first, this.infoHash)) {
      this.close(CloseCode.BadHandshake, 'the first bytes were not a BitTorrent handshake for the registered torrent', true)
      return
    }
    if (this.socket) this.opened(0) // inbound: the connection is already up
    else this.dial()
  }

  /** Connects (with MSE as the policy says, see peer-dialer.ts); OPENED once bytes can flow. */
  private dial(): void {
    this.state = 'connecting'
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.dialing = dialPeer({
      host: this.peer.host,
      port: this.peer.port,
      infoHash: this.infoHash,
      handshake: concatBytes(this.head, HANDSHAKE_LENGTH),
      encryption: this.owner.encryption,
      timeoutMs: this.owner.limits.connectTimeoutMs,
      outgoing: this.owner.outgoing,
    }, (result) => {
      this.dialing = null
      if (this.state === 'closed') return
      this.owner.metrics.dials.inc({ outcome: result.ok ? 'opened' : 'failed' })
      if (!result.ok) return this.close(CloseCode.ConnectFailed, result.reason, true)
      this.socket = result.socket
      this.crypto = result.crypto
      this.attach(result.socket)
      this.owner.send({ type: FrameType.Opened, stream: this.id })
      this.awaitPeerHandshake()
      if (result.payload.length) this.fromPeer(result.payload)
      this.opened(result.handshakeSent ? HANDSHAKE_LENGTH : 0)
    })
  }

  /**
   * Closes a dialed stream whose peer sends no handshake in time (see peerHandshakeTimer); the page
   * counts it as the peer's failure. While the bridge itself reads nothing from the socket (pump()
   * paused it: the page's session is over its cap, or the page's credit is used up) the peer's
   * handshake may be there unread: that is the bridge's overload, not the peer's silence, so the
   * deadline starts again rather than marking the peer as failed. pump() first: the overload may
   * have ended without a call that resumes this socket (the page's WebSocket queue, which counts
   * towards the cap, drains without one while it stays under WS_HIGH_WATER). A socket held back
   * for good is still closed by the stream's idle time.
   */
  private awaitPeerHandshake(): void {
    this.peerHandshakeTimer = setTimeout(() => {
      this.peerHandshakeTimer = null
      if (this.socket?.isPaused() || this.owner.overloaded()) {
        this.pump()
        if (this.state !== 'closed' && this.fromPeerBytes < HANDSHAKE_LENGTH) this.awaitPeerHandshake()
        return
      }
      this.owner.metrics.peerHandshakeTimeouts.inc()
      this.close(CloseCode.Idle, `the peer sent no handshake within ${this.owner.limits.handshakeTimeoutMs / 1000} s`, true)
    }, this.owner.limits.handshakeTimeoutMs)
  }

  /** Sends what the page sent so far, but its first `sent` bytes (gone with MSE already). */
  private opened(sent: number): void {
    if (this.state === 'closed') return
    this.state = 'open'
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const socket = this.socket!
    socket.setTimeout(this.owner.limits.streamIdleMs)
    this.owner.streamOpened(this.crypto.transport)
    const held = this.head
    this.owner.account(-this.headBytes, true)
    this.head = []
    this.headBytes = 0
    let skip = sent
    for (const chunk of held) {
      const n = Math.min(skip, chunk.length)
      skip -= n
      if (n < chunk.length) this.toSocket(chunk.subarray(n))
    }
    this.pump()
  }

  private attach(socket: net.Socket): void {
    socket.setNoDelay(true)
    // a read is in the shared buffer (see shared-reads.ts) until we return: decrypted in place
    setReader(socket, (bytes) => this.fromPeer(this.crypto.cipher ? this.crypto.cipher.decrypt.crypt(bytes) : bytes, true))
    socket.on('end', () => {
      this.remoteEnded = true
      this.pump()
    })
    socket.on('timeout', () => this.close(CloseCode.Idle, 'no traffic for too long', true))
    socket.on('error', (err: NodeJS.ErrnoException) => this.close(CloseCode.PeerClosed, `connection lost (${err.code ?? err.message})`, true))
    socket.on('close', () => {
      if (!this.remoteEnded || this.toPageBytes === 0) {
        this.close(CloseCode.PeerClosed, 'the peer closed the connection', true)
        return
      }
      // the peer said goodbye but the page has not taken its last bytes yet: pump() ends the
      // stream once they are out; a page that never grants credit loses them after the idle time
      if (this.timer) clearTimeout(this.timer)
      this.timer = setTimeout(() => this.close(CloseCode.Idle, 'the page took no data for too long', true), this.owner.limits.streamIdleMs)
    })
  }

  /**
   * Bytes from the peer; `shared` when they are a read in the shared buffer, which the next read
   * overwrites: DATA frames copy what goes now, and what waits for credit is copied here.
   */
  private fromPeer(chunk: Uint8Array, shared = false): void {
    if (this.state === 'closed') return
    this.owner.metrics.fromPeers.inc(chunk.length)
    this.fromPeerBytes += chunk.length
    if (this.peerHandshakeTimer && this.fromPeerBytes >= HANDSHAKE_LENGTH) {
      clearTimeout(this.peerHandshakeTimer)
      this.peerHandshakeTimer = null
    }
    this.messages.push(chunk)
    this.toPage.push(chunk)
    this.toPageBytes += chunk.length
    this.owner.account(chunk.length, false)
    // At once, not gathered over the event loop's turn: a read holds up to a full frame already
    // (shared-reads.ts), and anything kept past this call is a copy of the shared buffer, garbage
    // per read that the bridge's memory target cannot afford.
    this.pump()
    // pump() sends from the front: what is left of `chunk` is the queue's last entry, and must
    // outlive the shared read buffer (it waits for credit, a draining WebSocket, or the rest of a message)
    const last = this.toPage.length - 1
    if (shared && last >= 0 && this.toPage[last]!.buffer === chunk.buffer) this.toPage[last] = Buffer.from(this.toPage[last]!)
  }

  private toSocket(data: Uint8Array): void {
    const socket = this.socket!
    const n = data.length
    this.owner.metrics.toPeers.inc(n)
    if (this.inSocket === 0) this.lastWriteDone = Date.now()
    this.inSocket += n
    this.owner.account(n, true)
    // Buffer.from copies: the frame's bytes are a view into the WebSocket message (and RC4 works in place)
    const bytes = Buffer.from(data)
    this.crypto.cipher?.encrypt.crypt(bytes)
    socket.write(bytes, (err) => {
      if (this.state === 'closed') return // close() already released what was held
      this.lastWriteDone = Date.now()
      this.inSocket -= n
      this.owner.account(-n, true)
      if (err) return
      this.ungranted += n
      // Grant in batches of a quarter window, never as each write completes: small grants make the
      // page send small frames, whose grants are small again (silly window syndrome): an upload
      // to aria2c fell from 2.8 to 0.4 MB/s that way, spending its time in WebSocket.send. No
      // deadlock: a page out of credit has a whole window here or in the socket, on its way to
      // `ungranted`.
      if (this.ungranted >= STREAM_WINDOW / 4) this.grant()
    })
  }
}

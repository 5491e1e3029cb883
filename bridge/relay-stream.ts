/**
 * One TCP connection relayed to a page: credit-based flow control both ways, the handshake gate,
 * and the stream's timeouts. The bridge's memory for a stream is bounded by the credit it gave the
 * page (page -> TCP) and by one socket read (TCP -> page: the socket is paused while the page has
 * no credit for us), so a slow page stalls its peer, not the bridge.
 */
import { concatBytes } from '../src/core/bytes'
import type net from 'node:net'
import { isHandshakeFor } from '../src/core/bridge-codec'
import {
  CloseCode, FrameType, HANDSHAKE_LENGTH, MAX_DATA_PAYLOAD, MAX_STREAM_CREDIT, STREAM_WINDOW,
  type BridgeToPageFrame, type PeerAddress,
} from '../src/protocol/bridge-frames'
import type { BridgeLimits } from './limits'
import { PLAINTEXT, type EncryptionMode, type PeerCrypto, type PeerTransport } from './mse/peer-crypto'
import { dialPeer, type PeerDial } from './peer-dialer'

/** What a stream needs from its page's session. */
export interface StreamOwner {
  readonly limits: BridgeLimits
  /** MSE policy for the streams this owner dials. */
  readonly encryption: EncryptionMode
  send(frame: BridgeToPageFrame): void
  /** Bytes the bridge holds for this page went up (or down, when negative). */
  account(delta: number): void
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
  /** TCP bytes waiting for the page's credit. */
  private toPage: Uint8Array[] = []
  private toPageBytes = 0
  /** The page's bytes handed to the socket whose write has not completed. */
  private inSocket = 0
  private remoteEnded = false
  private timer: NodeJS.Timeout | null = null

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
    // handshake or connecting: hold the bytes (bounded by the credit we gave)
    this.head.push(data.slice())
    this.headBytes += data.length
    this.owner.account(data.length)
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

  /** Sends queued TCP bytes within the page's credit; pauses the socket while any remain. */
  pump(): void {
    if (this.state === 'closed') return
    while (this.toPageBytes > 0 && this.sendCredit > 0 && !this.owner.congested()) {
      const first = this.toPage[0]!
      const n = Math.min(first.length, this.sendCredit, MAX_DATA_PAYLOAD)
      const chunk = n === first.length ? first : first.subarray(0, n)
      if (n === first.length) this.toPage.shift()
      else this.toPage[0] = first.subarray(n)
      this.toPageBytes -= n
      this.sendCredit -= n
      this.owner.account(-n)
      this.owner.send({ type: FrameType.Data, stream: this.id, data: chunk })
    }
    if (this.toPageBytes === 0 && this.remoteEnded) this.close(CloseCode.PeerClosed, 'the peer closed the connection', true)
    else if (this.toPageBytes > 0 || this.sendCredit === 0) this.socket?.pause()
    else if (this.state === 'open') this.socket?.resume()
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
    this.owner.account(-this.buffered)
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
    }, (result) => {
      this.dialing = null
      if (this.state === 'closed') return
      if (!result.ok) return this.close(CloseCode.ConnectFailed, result.reason, true)
      this.socket = result.socket
      this.crypto = result.crypto
      this.attach(result.socket)
      this.owner.send({ type: FrameType.Opened, stream: this.id })
      if (result.payload.length) this.fromPeer(result.payload)
      this.opened(result.handshakeSent ? HANDSHAKE_LENGTH : 0)
    })
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
    this.owner.account(-this.headBytes)
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
    // socket chunks are ours alone: decrypted in place
    socket.on('data', (chunk: Buffer) => this.fromPeer(this.crypto.cipher ? this.crypto.cipher.decrypt.crypt(chunk) : chunk))
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
   * Bytes from the peer. (A shared `onread` buffer for dialed sockets, which cut the bridge's
   * download peak further, does not fit MSE's dialer, which hands over a connected socket.)
   */
  private fromPeer(chunk: Uint8Array): void {
    if (this.state === 'closed') return
    this.toPage.push(chunk)
    this.toPageBytes += chunk.length
    this.owner.account(chunk.length)
    this.pump()
  }

  private toSocket(data: Uint8Array): void {
    const socket = this.socket!
    const n = data.length
    this.inSocket += n
    this.owner.account(n)
    // Buffer.from copies: the frame's bytes are a view into the WebSocket message (and RC4 works in place)
    const bytes = Buffer.from(data)
    this.crypto.cipher?.encrypt.crypt(bytes)
    socket.write(bytes, (err) => {
      if (this.state === 'closed') return // close() already released what was held
      this.inSocket -= n
      this.owner.account(-n)
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

/**
 * One TCP peer connection relayed by the bridge, as the Duplex stream webtorrent's
 * `torrent.addPeer(stream)` takes: it has a unique `id`, `remoteAddress`/`remotePort`, and is
 * `connected` at once, so webtorrent writes its handshake straight away; the bridge checks that
 * handshake before it dials and says OPENED (our `open` event) when the TCP connection is up
 * (the bridge's side of protocol encryption included: the page always speaks plaintext).
 *
 * Flow control: we send DATA only within the credit the bridge granted, and grant credit back
 * only as our reader takes bytes, so neither end buffers more than a window per stream. A stream
 * that carries a download widens its window from STREAM_WINDOW up to the protocol's most
 * (MAX_STREAM_CREDIT), as far as the page's budget for wide windows allows (StreamLink.widen):
 * at 100 MB/s one window is 10 ms of data, less than a busy main thread can be away.
 */
import { concatBytes } from '../core/bytes'
import { GreetingWatch } from '../core/peer-connection/greeting-watch'
import { Duplex } from 'streamx'
import { MAX_DATA_PAYLOAD, MAX_STREAM_CREDIT, STREAM_WINDOW, type CloseCode, type PeerAddress } from '../protocol/bridge-frames'
import { AppError } from '../protocol/errors'

/** How a stream talks to its BridgeClient (kept narrow so tests can drive a stream alone). */
export interface StreamLink {
  sendData(stream: number, data: Uint8Array): void
  sendCredit(stream: number, bytes: number): void
  sendClose(stream: number, reason: string): void
  forget(stream: number): void
  /** Up to `bytes` more window for a busy stream, as the page's budget allows (0: none; absent: never widen). */
  widen?(bytes: number): number
  /** Gives back window taken with `widen`. */
  narrow?(bytes: number): void
}

type Pending = { data: Uint8Array; offset: number; cb: (err: Error | null) => void }

export class BridgeStream extends Duplex {
  /** Unique per stream, as webtorrent requires (it de-duplicates peers by `id`). */
  readonly id: string
  readonly remoteAddress: string
  readonly remotePort: number
  /** True from the start: webtorrent may write its handshake at once (see above). */
  readonly connected = true
  /** The bridge reports the TCP connection up (always true for inbound streams). */
  opened: boolean
  private sendCredit = STREAM_WINDOW
  private recvCredit = STREAM_WINDOW
  private unacked = 0
  /** The credit this stream lets the bridge hold: STREAM_WINDOW, wider once it carries a download (until it closes). */
  private window = STREAM_WINDOW
  private received = 0
  private pending: Pending | null = null
  private remoteClosed = false
  /** The peer's BitTorrent handshake for this torrent arrived, then a real message (a dial that worked: core/peer-connection/greeting-watch.ts). */
  greeted = false
  private greetingWatch: GreetingWatch | null
  /** The bridge's CLOSE code, once it closed the stream (null: the session ended). Tells a refused dial's cause (core/peer-connection/dial-refusal.ts). */
  closeCode: CloseCode | null | undefined = undefined

  constructor(
    readonly streamId: number,
    readonly infoHash: string,
    peer: PeerAddress,
    readonly direction: 'outbound' | 'inbound',
    private readonly link: StreamLink,
  ) {
    super({ highWaterMark: 64 * 1024 })
    this.id = `bridge:${peer.host}:${peer.port}#${streamId}`
    this.remoteAddress = peer.host
    this.remotePort = peer.port
    this.opened = direction === 'inbound'
    this.greetingWatch = direction === 'outbound' ? new GreetingWatch(infoHash) : null
    // a failed dial is routine: without a listener an 'error' would throw where nobody can catch
    // it; every consumer (webtorrent, peers.ts) adds its own
    this.on('error', () => {})
    // for listeners that wait for `connect` rather than checking `connected`
    queueMicrotask(() => {
      if (!this.destroying) this.emit('connect')
    })
  }

  // ---- from the BridgeClient ----

  /** OPENED: the bridge's TCP connection is up. */
  handleOpened(): void {
    this.opened = true
    this.emit('open')
  }

  /** DATA; returns false when the bridge sent past its credit (a protocol error). */
  handleData(data: Uint8Array): boolean {
    if (data.length > this.recvCredit) return false
    this.recvCredit -= data.length
    this.unacked += data.length
    this.received += data.length
    const greeting = this.greetingWatch?.feed(data)
    if (greeting === 'worked' || greeting === 'wrong') {
      this.greeted = greeting === 'worked'
      this.greetingWatch = null
      if (this.greeted) this.emit('greeted')
    }
    if (this.destroying) return true
    // no copy: the payload is a view into this message's own ArrayBuffer, which nothing reuses
    if (this.push(data)) this.grant()
    return true
  }

  /** CREDIT: the bridge takes `bytes` more (the codec already refused a grant past MAX_STREAM_CREDIT). */
  handleCredit(bytes: number): void {
    this.sendCredit += bytes
    this.flush()
  }

  /** CLOSE from the bridge (or the session ended). */
  handleClose(code: CloseCode | null, reason: string): void {
    this.remoteClosed = true
    this.closeCode = code
    if (this.pending) {
      const { cb } = this.pending
      this.pending = null
      cb(new AppError('PEER_CONNECT', reason))
    }
    // before OPENED, a close is a failed dial; after it, the peer hanging up is the normal end
    if (!this.opened || code === null) this.destroy(new AppError(code === null ? 'BRIDGE_UNAVAILABLE' : 'PEER_CONNECT', reason))
    else {
      this.push(null)
      this.destroy()
    }
  }

  // ---- streamx ----

  /**
   * streamx hands us every queued write at once: bittorrent-protocol writes each message's header
   * and its payload apart, and a DATA frame per write would double the frames (and the
   * WebSocket sends, the page's costliest call while uploading).
   */
  override _writev(batch: unknown[], cb: (err: Error | null) => void): void {
    if (this.remoteClosed) return cb(new AppError('PEER_CONNECT', 'the connection is closed'))
    const chunks = batch as Uint8Array[]
    this.pending = { data: chunks.length === 1 ? chunks[0]! : concatBytes(chunks), offset: 0, cb }
    this.flush()
  }

  override _read(cb: (err: Error | null) => void): void {
    this.grant()
    cb(null)
  }

  override _destroy(cb: (err: Error | null) => void): void {
    if (this.pending) {
      this.pending.cb(new Error('stream destroyed'))
      this.pending = null
    }
    if (this.window > STREAM_WINDOW) this.link.narrow?.(this.window - STREAM_WINDOW)
    this.window = STREAM_WINDOW
    if (!this.remoteClosed) this.link.sendClose(this.streamId, 'closed by the page')
    this.remoteClosed = true
    this.link.forget(this.streamId)
    cb(null)
  }

  private flush(): void {
    const p = this.pending
    if (!p) return
    while (p.offset < p.data.length && this.sendCredit > 0) {
      const n = Math.min(p.data.length - p.offset, this.sendCredit, MAX_DATA_PAYLOAD)
      this.link.sendData(this.streamId, p.data.subarray(p.offset, p.offset + n))
      p.offset += n
      this.sendCredit -= n
    }
    if (p.offset === p.data.length) {
      this.pending = null
      p.cb(null)
    }
  }

  private grant(): void {
    if (this.unacked === 0 || this.remoteClosed) return
    // batch: a CREDIT frame per quarter window (the bridge never stalls: when its credit is out,
    // `unacked` is a whole window)
    if (this.unacked < this.window / 4 && this.recvCredit > 0) return
    // a download (two windows through already): widen, as far as the budget gives, now or at a
    // later grant once other streams have given theirs back; a stream keeps its width until it closes
    let wider = 0
    if (this.window < MAX_STREAM_CREDIT && this.received >= 2 * this.window) {
      wider = this.link.widen?.(MAX_STREAM_CREDIT - this.window) ?? 0
      this.window += wider
    }
    this.recvCredit += this.unacked + wider
    this.link.sendCredit(this.streamId, this.unacked + wider)
    this.unacked = 0
  }
}

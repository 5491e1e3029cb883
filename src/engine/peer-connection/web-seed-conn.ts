/**
 * One web seed (BEP 19) as webtorrent's `torrent.addWebSeed(conn)` takes it: a Duplex that plays
 * the remote peer of a BitTorrent connection (core/peer-connection/seed-wire.ts), has every piece, and answers
 * each request with HTTP range fetches (core/peer-connection/web-seed-ranges.ts): by the page itself while it can,
 * through the bridge once the page cannot (no CORS headers, mixed content), for good.
 *
 * A web seed is a stranger, and what it costs is its own: a whole piece it sends is checked
 * against the torrent's hash before webtorrent sees it, and one that does not match drops it at
 * once, as does a redirect or an address the bridge refuses; an HTTP error, a short or wrong-sized
 * answer or a timeout chokes it for a while (webtorrent then asks the other peers), and
 * MAX_FAILURES of those in a row drop it. A dropped web seed says why (`dropped`).
 */
import { Duplex } from 'streamx'
import { RangeFetchError } from '../../core/peer-connection/range-response'
import {
  KEEP_ALIVE_MESSAGE, SeedWireReader, chokeMessage, fullBitfieldMessage, handshakeMessage, pieceHeader, type WireMessage,
} from '../../core/peer-connection/seed-wire'
import { blockParts, type SeedFile } from '../../core/peer-connection/web-seed-ranges'
import { MAX_WEB_SEED_FETCH_BYTES } from '../../protocol/bridge-frames'

/** Fetches bytes [start, start + length) of the file at `url`; rejects with RangeFetchError. */
export type RangeFetch = (url: string, start: number, length: number, signal: AbortSignal) => Promise<Uint8Array>

export interface WebSeedConnOptions {
  url: string
  infoHash: string
  /** 40 hex: the peer id this web seed answers with (webtorrent tells peers apart by it). */
  peerId: string
  pieceLength: number
  pieceCount: number
  lastPieceLength: number
  /** 20 bytes a piece (SHA-1). */
  pieceHashes: Uint8Array
  files: readonly SeedFile[]
  /** The page's own fetch, or null where the page may not fetch (tests of the bridge's path). */
  direct: RangeFetch | null
  /** The bridge's (failing as 'busy' while it is not connected), or null without a bridge. */
  bridge: () => RangeFetch | null
  /** SHA-1 of a piece; absent: pieces are left to webtorrent's check alone. */
  sha1?: (bytes: Uint8Array) => Promise<Uint8Array>
  /** It was dropped, and why (just before it is destroyed). */
  onDropped?: (reason: string) => void
  /** Choked for this long after its first failure (FAILURE_BACKOFF_MS), doubling with each one after. */
  backoffMs?: number
}

/** Failures in a row (HTTP errors, short answers, timeouts) after which a web seed is dropped. */
export const MAX_FAILURES = 3
/** Choked for this long after its first failure, doubling with each one after. */
const FAILURE_BACKOFF_MS = 3000
/** Choked for this long when the bridge is busy or away: not the web seed's fault. */
const BUSY_BACKOFF_MS = 2000
/** Range fetches at once for one web seed (webtorrent asks it for at most 4 pieces at a time). */
const PARALLEL_FETCHES = 4
/** Requests in flight beyond which the page's own wire is misbehaving. */
const MAX_REQUESTS = 32
const KEEP_ALIVE_MS = 60_000

interface Job {
  index: number
  begin: number
  length: number
  controller: AbortController
}

export class WebSeedConn extends Duplex {
  /** webtorrent de-duplicates web seeds by this. */
  readonly connId: string
  readonly url: string
  readonly peerId: string
  /** Why it was dropped; null while it works. */
  dropped: string | null = null
  /** Whether its ranges now come through the bridge. */
  viaBridge: boolean
  private readonly reader: SeedWireReader
  private readonly jobs = new Set<Job>()
  private failures = 0
  private choked = true
  private interested = false
  private backoff: ReturnType<typeof setTimeout> | null = null
  private readonly keepAlive: ReturnType<typeof setInterval>
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly opts: WebSeedConnOptions) {
    super({ highWaterMark: 64 * 1024 })
    this.connId = opts.url
    this.url = opts.url
    this.peerId = opts.peerId
    this.viaBridge = opts.direct === null
    this.reader = new SeedWireReader(opts.pieceCount)
    // webtorrent adds its own listener; without one an 'error' (a drop) would throw where nobody catches it
    this.on('error', () => {})
    this.keepAlive = setInterval(() => { if (!this.destroying) this.push(KEEP_ALIVE_MESSAGE) }, KEEP_ALIVE_MS)
  }

  // ---- streamx ----

  override _write(chunk: Uint8Array, cb: (err: Error | null) => void): void {
    const read = this.reader.push(chunk)
    if (!read.ok) return cb(new Error(`the page's wire sent ${read.reason}`))
    for (const message of read.messages) this.onMessage(message)
    cb(null)
  }

  override _read(cb: (err: Error | null) => void): void {
    cb(null)
  }

  override _destroy(cb: (err: Error | null) => void): void {
    clearInterval(this.keepAlive)
    if (this.backoff) clearTimeout(this.backoff)
    this.abortAll()
    cb(null)
  }

  // ---- the peer wire ----

  private onMessage(message: WireMessage): void {
    switch (message.type) {
      case 'handshake':
        if (message.infoHash !== this.opts.infoHash) return void this.destroy(new Error('handshake for another torrent'))
        this.push(handshakeMessage(this.opts.infoHash, this.opts.peerId))
        this.push(fullBitfieldMessage(this.opts.pieceCount))
        return
      case 'interested':
        this.interested = true
        if (!this.backoff) this.unchoke()
        return
      case 'not-interested':
        this.interested = false
        return
      case 'request':
        return this.onRequest(message.index, message.begin, message.length)
      case 'cancel':
        for (const job of this.jobs) {
          if (job.index === message.index && job.begin === message.begin && job.length === message.length) this.endJob(job)
        }
        return
      default:
        // keep-alives, choke/unchoke (it never asks us for pieces), its haves and bitfield
    }
  }

  private onRequest(index: number, begin: number, length: number): void {
    const pieceLength = index === this.opts.pieceCount - 1 ? this.opts.lastPieceLength : this.opts.pieceLength
    if (index >= this.opts.pieceCount || length === 0 || begin + length > pieceLength) {
      return void this.destroy(new Error(`a request for bytes ${begin}+${length} of piece ${index}`))
    }
    // asked while choked: the request crossed our CHOKE, which already failed it on the other side
    if (this.choked) return
    if (this.jobs.size >= MAX_REQUESTS) return void this.destroy(new Error(`more than ${MAX_REQUESTS} requests at once`))
    const job: Job = { index, begin, length, controller: new AbortController() }
    this.jobs.add(job)
    this.serve(job).then(
      (block) => {
        if (!this.jobs.has(job) || this.destroying) return
        this.endJob(job)
        this.failures = 0
        this.push(pieceHeader(index, begin, length))
        this.push(block)
      },
      (err: unknown) => {
        if (!this.jobs.has(job) || this.destroying) return // cancelled, choked or destroyed meanwhile
        this.endJob(job)
        this.failed(err)
      },
    )
  }

  /** The block's bytes from the web seed (padding stays zero), its piece checked when it is the whole piece. */
  private async serve(job: Job): Promise<Uint8Array> {
    const block = new Uint8Array(job.length)
    const offset = job.index * this.opts.pieceLength + job.begin
    const parts = blockParts(this.opts.files, offset, job.length, MAX_WEB_SEED_FETCH_BYTES)
    await Promise.all(parts.map(async (part) => {
      const bytes = await this.limited(() => this.fetchPart(part.url, part.start, part.length, job.controller.signal))
      if (bytes.length !== part.length) throw new RangeFetchError('failed', `it answered ${bytes.length} bytes for a range of ${part.length}`)
      block.set(bytes, part.at)
    }))
    const whole = job.begin === 0 && job.length === (job.index === this.opts.pieceCount - 1 ? this.opts.lastPieceLength : this.opts.pieceLength)
    if (whole && this.opts.sha1) {
      const digest = await this.opts.sha1(block)
      const want = this.opts.pieceHashes.subarray(job.index * 20, job.index * 20 + 20)
      if (!digest.every((b, i) => b === want[i])) throw new LieError(`it sent data that does not match the torrent (piece ${job.index})`)
    }
    return block
  }

  /** One range, by the page while it can reach the web seed, then by the bridge. */
  private async fetchPart(url: string, start: number, length: number, signal: AbortSignal): Promise<Uint8Array> {
    for (;;) {
      const fetcher = this.viaBridge ? this.opts.bridge() : this.opts.direct
      if (!fetcher) throw new RangeFetchError('failed', 'the page cannot fetch it, and there is no bridge')
      try {
        return await fetcher(url, start, length, signal)
      } catch (err) {
        if (err instanceof RangeFetchError && err.failure === 'unreachable' && !this.viaBridge && this.opts.bridge()) {
          this.viaBridge = true
          continue
        }
        throw err
      }
    }
  }

  /** At most PARALLEL_FETCHES fetches at once. */
  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= PARALLEL_FETCHES) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running++
    try {
      return await work()
    } finally {
      this.running--
      this.waiting.shift()?.()
    }
  }

  private failed(err: unknown): void {
    const reason = (err as Error).message || 'the fetch failed'
    if (err instanceof LieError) return this.drop(reason)
    const failure = err instanceof RangeFetchError ? err.failure : 'failed'
    if (failure === 'refused') return this.drop(reason)
    if (failure === 'busy') return this.chokeFor(Math.min(BUSY_BACKOFF_MS, this.opts.backoffMs ?? BUSY_BACKOFF_MS))
    this.failures++
    if (this.failures >= MAX_FAILURES) return this.drop(reason)
    this.chokeFor((this.opts.backoffMs ?? FAILURE_BACKOFF_MS) * 2 ** (this.failures - 1))
  }

  /**
   * Chokes webtorrent's wire for `ms`: with no fast extension, a choke fails every request it has
   * of this web seed, so webtorrent asks its other peers for those pieces meanwhile.
   */
  private chokeFor(ms: number): void {
    if (this.backoff) return
    this.abortAll()
    if (!this.choked) {
      this.choked = true
      this.push(chokeMessage(true))
    }
    this.backoff = setTimeout(() => {
      this.backoff = null
      if (this.interested && !this.destroying) this.unchoke()
    }, ms)
  }

  private unchoke(): void {
    if (!this.choked) return
    this.choked = false
    this.push(chokeMessage(false))
  }

  private drop(reason: string): void {
    if (this.dropped !== null) return
    this.dropped = reason
    this.opts.onDropped?.(reason)
    this.destroy(new Error(`web seed ${this.url}: ${reason}`))
  }

  private endJob(job: Job): void {
    this.jobs.delete(job)
    job.controller.abort()
  }

  private abortAll(): void {
    for (const job of [...this.jobs]) this.endJob(job)
  }
}

/** A web seed's bytes that do not match the torrent: it lies, and is dropped at once. */
class LieError extends Error {}

/**
 * A v2-only torrent's missing piece layers, asked of its peers (BEP 52 hash requests): which request
 * goes to which peer, and again after a while; each answer proven up to the file's root
 * (core/peer-connection/piece-layer-fetch.ts) before the layer is handed to the torrent. A downloaded piece whose
 * file's layer is still missing waits here for it, a while.
 */
import type { HashRequest } from '../../core/file-storage/merkle-proof'
import type { Metainfo } from '../../core/torrent-parser/metainfo'
import { hex } from '../../core/torrent-parser/metainfo-v2'
import { PieceLayerFetch } from '../../core/peer-connection/piece-layer-fetch'
import type { HashExchange, HashExchangeTorrent } from './v2-hash-exchange'
import type { V2Wire } from '../download-manager/v2-torrent'

/** What the requests need of their torrent. */
export interface PieceLayerRequestsHost {
  /** The name of the file with this pieces root, for the message about a peer that lied about it. */
  fileName(piecesRoot: Uint8Array): string
  /** A file's piece layer came from peers, proven up to its pieces root. */
  layerFetched(piecesRoot: Uint8Array, layer: Uint8Array): void
  /** A peer broke BEP 52 or lied in its hashes: disconnect it, and never dial it again. */
  badPeer(wire: V2Wire, reason: string): void
}

/** A request goes to this many peers at once. */
const ASK_AT_ONCE = 2
/** An unanswered request may go to another peer after this long. */
const REQUEST_TIMEOUT_MS = 20_000
/** How often requests are sent again while layers are missing (peers come and go). */
const PUMP_MS = 5_000
/** A downloaded piece waits this long for its file's piece layer, then fails (it is downloaded again later). */
const LAYER_WAIT_MS = 30_000
/** Pieces waiting for a layer at once (their bytes wait in the storage worker); more fail at once. */
const MAX_WAITING = 64

export class PieceLayerRequests implements Omit<HashExchangeTorrent, 'answer'> {
  private readonly fetches = new Map<string, PieceLayerFetch>()
  private readonly exchanges = new Set<HashExchange>()
  /** For each request (by requestKey), the peers asked and when (-1: it refused). */
  private readonly asked = new Map<string, Map<HashExchange, number>>()
  private readonly layerWaiters = new Map<string, Set<() => void>>()
  private waiting = 0
  private timer: ReturnType<typeof setInterval> | undefined
  private stopped = false

  constructor(private readonly host: PieceLayerRequestsHost) {}

  /** Asks peers for the piece layer of each file of `meta` that needs one and has none. */
  fetchMissing(meta: Metainfo): void {
    for (const file of meta.files) {
      if (!file.piecesRoot || file.pieceLayer || file.length <= meta.pieceLength) continue
      const key = hex(file.piecesRoot)
      if (!this.fetches.has(key)) this.fetches.set(key, new PieceLayerFetch(file.piecesRoot, file.length, meta.pieceLength))
    }
    if (this.fetches.size > 0) {
      this.timer = setInterval(() => this.pump(), PUMP_MS)
      this.pump()
    }
  }

  /** A peer that may be asked. */
  addPeer(exchange: HashExchange): void {
    this.exchanges.add(exchange)
    this.pump()
  }

  close(): void {
    this.stopped = true
    clearInterval(this.timer)
    for (const wake of [...this.layerWaiters.values()].flatMap((set) => [...set])) wake()
    this.layerWaiters.clear()
  }

  /** Resolves once the layer of the file with this pieces root came, or after a while, or at once when too many wait. */
  async layerArrival(piecesRoot: Uint8Array): Promise<void> {
    if (this.waiting >= MAX_WAITING || this.stopped) return
    const key = hex(piecesRoot)
    this.waiting++
    try {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, LAYER_WAIT_MS)
        const waiters = this.layerWaiters.get(key) ?? new Set()
        this.layerWaiters.set(key, waiters)
        waiters.add(done)
        function done() {
          clearTimeout(timer)
          waiters.delete(done)
          resolve()
        }
        if (!this.fetches.has(key)) done()
      })
    } finally {
      this.waiting--
    }
  }

  hashes(request: HashRequest, hashes: Uint8Array, from: HashExchange): void {
    const key = hex(request.piecesRoot)
    const fetch = this.fetches.get(key)
    if (!fetch) return // a layer we have, or a file we do not: nothing asked
    const result = fetch.add(request, hashes)
    if (result === 'bad proof') {
      this.misbehaved(from, `it sent piece hashes for “${this.host.fileName(request.piecesRoot)}” that do not lead to the file's pieces root`)
      return
    }
    if (result === 'added') this.asked.delete(requestKey(request))
    if (fetch.complete) this.layerDone(key, fetch)
    else this.pump()
  }

  rejected(request: HashRequest, from: HashExchange): void {
    const asked = this.asked.get(requestKey(request))
    if (asked?.has(from)) asked.set(from, -1)
    this.pump()
  }

  misbehaved(from: HashExchange, reason: string): void {
    this.exchanges.delete(from)
    this.host.badPeer(from.wire, reason)
    this.pump()
  }

  closed(from: HashExchange): void {
    this.exchanges.delete(from)
    this.pump()
  }

  private layerDone(key: string, fetch: PieceLayerFetch): void {
    const layer = fetch.pieceLayer()
    this.fetches.delete(key)
    if (!layer) return
    // the torrent takes the layer first: a piece woken here then finds it
    this.host.layerFetched(fetch.piecesRoot, layer)
    for (const wake of this.layerWaiters.get(key) ?? []) wake()
    this.layerWaiters.delete(key)
    if (this.fetches.size === 0) clearInterval(this.timer)
  }

  /** Sends each missing request to peers that have not been asked it, ASK_AT_ONCE at a time. */
  private pump(): void {
    if (this.stopped || this.fetches.size === 0) return
    const now = Date.now()
    const live = [...this.exchanges].filter((e) => e.alive)
    for (const fetch of this.fetches.values()) {
      for (const request of fetch.requests()) {
        const key = requestKey(request)
        let asked = this.asked.get(key)
        if (!asked) this.asked.set(key, (asked = new Map()))
        let inFlight = 0
        for (const [exchange, at] of asked) if (exchange.alive && at >= 0 && now - at < REQUEST_TIMEOUT_MS) inFlight++
        // every peer asked, none still expected to answer: a new round (a peer may have the layer by now)
        if (inFlight === 0 && live.length > 0 && live.every((e) => asked.has(e))) asked.clear()
        for (const exchange of live) {
          if (inFlight >= ASK_AT_ONCE) break
          if (asked.has(exchange) || !exchange.request(request)) continue
          asked.set(exchange, now)
          inFlight++
        }
      }
    }
  }
}

function requestKey(request: HashRequest): string {
  return `${hex(request.piecesRoot)}/${request.baseLayer}/${request.index}/${request.length}`
}

/**
 * One BitTorrent v2 torrent in the engine (BEP 52): a v2-only torrent, or a hybrid one whose v2
 * half is checked too.
 *
 * v2-only: webtorrent runs it under its truncated v2 info-hash (handshakes, trackers, the DHT),
 * each file starting a piece (webtorrent/parsed-torrent.ts). Each downloaded piece is hashed in
 * the storage worker, the BEP 52 way, and checked against its file's piece layer (or the file's
 * root, for a file of one piece); so is each stored piece a start-up check reads back. A file's
 * piece layer comes from the .torrent, or else from peers (hash requests, each answer proven up to
 * the file's root, core/piece-layer-fetch.ts) and is then kept in the torrent's .torrent. Peers'
 * hash requests are answered from the layers; metadata from peers (a btmh magnet) is checked by
 * its SHA-256 and served byte for byte. A peer that sends hashes that prove nothing, or breaks
 * BEP 52's messages, is disconnected and not dialed again; the torrent carries on.
 *
 * hybrid: webtorrent runs it as v1 (SHA-1 pieces, the v1 info-hash). Where the .torrent gives a
 * file's piece layer (libtorrent and qBittorrent write them all), a downloaded piece must also
 * match it: the worker has the piece's bytes already, and a SHA-256 of them costs about what the
 * SHA-1 does (test/bench/v2-hashing.ts), off the page's thread. Re-checks stay SHA-1 alone, and no
 * layer is fetched from peers for a hybrid: that would need the v2 upgrade of the handshake.
 */
import { buildLayers, equalBytes, pieceLayerOf } from '../core/merkle'
import { answerHashRequest, hashRequestProblem, type HashRequest } from '../core/merkle-proof'
import type { Metainfo, TorrentFile } from '../core/metainfo'
import { hex } from '../core/metainfo-v2'
import { PieceLayerFetch } from '../core/piece-layer-fetch'
import { withPieceLayers } from '../core/torrent-with-layers'
import { v2Piece } from '../core/v2-pieces'
import { AppError } from '../protocol/errors'
import type { StorageClient } from '../storage/storage-client'
import { HashExchange, type HashExchangeTorrent } from './v2-hash-exchange'
import type { OwnPieceCheck } from './webtorrent/piece-hashing'
import { parsedV2Magnet, parsedV2Torrent, pieceToken, type ParsedTorrent } from './webtorrent/parsed-torrent'
import { hookV2Torrent } from './webtorrent/torrent-hooks'
import { hookUtMetadata } from './webtorrent/ut-metadata'

/** A peer connection, as far as this needs it. */
export interface V2Wire {
  on(event: 'unknownmessage', listener: (message: Uint8Array) => void): unknown
  once(event: 'close', listener: () => void): unknown
  readonly destroyed?: boolean
}

/** What a v2 torrent needs of the engine. */
export interface V2TorrentHost {
  storage: Pick<StorageClient, 'hashStoredV2'>
  /** Our parser, in its worker (engine/parse-service.ts). */
  parse(torrentFile: Uint8Array): Promise<Metainfo>
  /** A stored piece was read back and hashed for a start-up check (the UI counts them). */
  checkRead(): void
  /** Piece layers came from peers: the torrent's .torrent, to keep. */
  torrentFileChanged(bytes: Uint8Array): void
  /** The metadata peers sent cannot be run: the torrent stops with this error. */
  refused(error: AppError): void
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

const NO_MATCH = new ArrayBuffer(20)

export class V2Torrent implements HashExchangeTorrent {
  torrent: object = {}
  /** The exact .torrent (as added, or the metadata from peers), with the piece layers fetched since. */
  torrentFile: Uint8Array | undefined
  private meta: Metainfo | undefined
  private info: Uint8Array | undefined
  private readonly fetches = new Map<string, PieceLayerFetch>()
  private readonly trees = new Map<string, { layers: Uint8Array[]; lowest: number }>()
  private readonly exchanges = new Set<HashExchange>()
  /** For each request (by requestKey), the peers asked and when (-1: it refused). */
  private readonly asked = new Map<string, Map<HashExchange, number>>()
  private readonly layerWaiters = new Map<string, Set<() => void>>()
  private waiting = 0
  private timer: ReturnType<typeof setInterval> | undefined
  private stopped = false
  private magnetName: string | undefined

  private constructor(
    readonly infoHash: string,
    private readonly infoHashV2: string | undefined,
    readonly mode: 'v2' | 'hybrid',
    private readonly host: V2TorrentHost,
  ) {}

  /** A v2-only or hybrid .torrent (a hybrid only when it carries some piece layer: else there is nothing more to check). */
  static fromTorrent(meta: Metainfo, torrentFile: Uint8Array, host: V2TorrentHost): V2Torrent | undefined {
    if (meta.version === 'v1') return undefined
    if (meta.version === 'hybrid' && !meta.files.some((f) => f.pieceLayer)) return undefined
    const t = new V2Torrent(meta.infoHash, meta.infoHashV2, meta.version, host)
    t.torrentFile = torrentFile
    t.setMetainfo(meta)
    return t
  }

  /** A v2-only magnet link: its metadata comes from peers. */
  static fromMagnet(link: { infoHash: string; infoHashV2: string; name?: string }, host: V2TorrentHost): V2Torrent {
    const t = new V2Torrent(link.infoHash, link.infoHashV2, 'v2', host)
    t.magnetName = link.name
    return t
  }

  /** What webtorrent's `client.add` gets (a hybrid is added as its .torrent). */
  torrentId(): ParsedTorrent | undefined {
    if (this.mode === 'hybrid') return undefined
    return this.meta ? parsedV2Torrent(this.meta) : parsedV2Magnet({ infoHash: this.infoHash, ...(this.magnetName ? { name: this.magnetName } : {}) })
  }

  /** Takes over webtorrent's checks for `torrent` (just added); throws AppError when webtorrent does not have what the hooks replace. */
  attach(torrent: { on(event: 'wire', listener: (wire: V2Wire) => void): unknown }): void {
    this.torrent = torrent
    if (this.mode === 'v2' && !hookV2Torrent(torrent, this)) {
      throw new AppError('BAD_TORRENT', 'This webtorrent cannot check BitTorrent v2 pieces (it lacks the methods this app hooks): v2-only torrents cannot run.')
    }
    torrent.on('wire', (wire) => this.onWire(wire))
  }

  close(): void {
    this.stopped = true
    clearInterval(this.timer)
    for (const wake of [...this.layerWaiters.values()].flatMap((set) => [...set])) wake()
    this.layerWaiters.clear()
  }

  private onWire(wire: V2Wire): void {
    // a web seed (webtorrent's wire type "webSeed") has pieces only: no metadata, no hashes to ask for
    if (this.mode === 'hybrid' || this.stopped || (wire as { type?: unknown }).type === 'webSeed') return
    hookUtMetadata(wire, this)
    this.exchanges.add(new HashExchange(wire, this))
    this.pump()
  }

  private setMetainfo(meta: Metainfo): void {
    this.meta = meta
    this.info = meta.infoBytes
    if (this.mode !== 'v2') return
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

  // --- metadata (ut-metadata.ts, torrent-hooks.ts) ---

  exactInfo(): Uint8Array | undefined {
    return this.info
  }

  async accept(info: Uint8Array): Promise<boolean> {
    if (this.info) return equalBytes(info, this.info)
    if (!this.infoHashV2) return false
    const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', info.slice())))
    if (digest !== this.infoHashV2) return false
    this.info ??= info.slice()
    return true
  }

  async parsedFromPeers(): Promise<ParsedTorrent | undefined> {
    const info = this.info
    if (!info || this.stopped) return undefined
    if (this.meta) return parsedV2Torrent(this.meta)
    const torrentFile = new Uint8Array(info.length + 8)
    torrentFile.set(new TextEncoder().encode('d4:info'))
    torrentFile.set(info, 7)
    torrentFile[torrentFile.length - 1] = 0x65 // e
    let meta: Metainfo
    try {
      meta = await this.host.parse(torrentFile)
    } catch (err) {
      this.host.refused(AppError.from(err, 'BAD_TORRENT'))
      return undefined
    }
    if (meta.version !== 'v2') {
      this.host.refused(new AppError('BAD_TORRENT', 'This v2 magnet link names a hybrid (v1 + v2) torrent: add it by its .torrent file, or by a magnet link with its v1 info hash (urn:btih) as well.'))
      return undefined
    }
    if (this.stopped || this.meta) return undefined
    this.torrentFile = torrentFile
    this.setMetainfo(meta)
    return parsedV2Torrent(meta)
  }

  // --- piece checks (webtorrent/piece-hashing.ts's pieceCheck, torrent-hooks.ts) ---

  checkOf(index: number): OwnPieceCheck | undefined {
    const meta = this.meta
    const piece = meta && v2Piece(meta, index)
    if (!piece) return undefined
    const shape = { dataLength: piece.dataLength, leaves: piece.leaves }
    if (this.mode === 'hybrid') {
      const expected = piece.expected
      if (!expected) return undefined // webtorrent's SHA-1 alone
      return {
        check: { sha1: true, v2: shape },
        answer: async ({ sha1, v2 }) => (sha1 && v2 && equalBytes(new Uint8Array(v2), expected) ? sha1 : NO_MATCH),
      }
    }
    return {
      check: { sha1: false, v2: shape },
      answer: async ({ v2 }) => {
        const expected = piece.expected ?? (await this.expectedLater(piece.file, index))
        return v2 && expected && equalBytes(new Uint8Array(v2), expected) ? pieceToken(index).buffer as ArrayBuffer : NO_MATCH
      },
    }
  }

  async verifyStored(index: number): Promise<boolean> {
    this.host.checkRead()
    const piece = this.meta && v2Piece(this.meta, index)
    if (!piece?.expected) return false
    const hash = await this.host.storage.hashStoredV2(this.infoHash, index, { dataLength: piece.dataLength, leaves: piece.leaves })
    return equalBytes(hash, piece.expected)
  }

  /** The hash piece `index` of `file` is checked against, once its layer came (or undefined after a while). */
  private async expectedLater(file: TorrentFile, index: number): Promise<Uint8Array | undefined> {
    if (this.waiting >= MAX_WAITING || this.stopped || !file.piecesRoot) return undefined
    const key = hex(file.piecesRoot)
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
    return this.meta && v2Piece(this.meta, index)?.expected
  }

  // --- hash exchange (v2-hash-exchange.ts) ---

  answer(request: HashRequest): Uint8Array | null {
    const meta = this.meta
    const file = meta?.files.find((f) => f.piecesRoot && equalBytes(f.piecesRoot, request.piecesRoot))
    if (!meta || !file || hashRequestProblem(request, file.length) !== null) return null
    const tree = this.treeOf(file, meta.pieceLength)
    return tree ? answerHashRequest(request, tree.layers, tree.lowest) : null
  }

  /** The file's tree from its piece layer up, once its layer is known (requests below it are refused: no block hashes are kept). */
  private treeOf(file: TorrentFile, pieceLength: number): { layers: Uint8Array[]; lowest: number } | undefined {
    if (!file.piecesRoot || !file.pieceLayer) return undefined
    const key = hex(file.piecesRoot)
    let tree = this.trees.get(key)
    if (!tree) {
      const lowest = pieceLayerOf(pieceLength)
      tree = { layers: buildLayers(file.pieceLayer, lowest, file.length), lowest }
      this.trees.set(key, tree)
    }
    return tree
  }

  hashes(request: HashRequest, hashes: Uint8Array, from: HashExchange): void {
    const key = hex(request.piecesRoot)
    const fetch = this.fetches.get(key)
    if (!fetch) return // a layer we have, or a file we do not: nothing asked
    const result = fetch.add(request, hashes)
    if (result === 'bad proof') {
      this.misbehaved(from, `it sent piece hashes for “${this.fileName(request.piecesRoot)}” that do not lead to the file's pieces root`)
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

  private fileName(root: Uint8Array): string {
    return this.meta?.files.find((f) => f.piecesRoot && equalBytes(f.piecesRoot, root))?.name ?? 'a file'
  }

  private layerDone(key: string, fetch: PieceLayerFetch): void {
    const layer = fetch.pieceLayer()
    const meta = this.meta
    this.fetches.delete(key)
    if (!layer || !meta) return
    for (const file of meta.files) if (file.piecesRoot && hex(file.piecesRoot) === key) file.pieceLayer = layer
    for (const wake of this.layerWaiters.get(key) ?? []) wake()
    this.layerWaiters.delete(key)
    if (this.fetches.size === 0) clearInterval(this.timer)
    if (this.torrentFile) {
      this.torrentFile = withPieceLayers(this.torrentFile, [[fetch.piecesRoot, layer]])
      this.host.torrentFileChanged(this.torrentFile)
    }
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

/**
 * One BitTorrent v2 torrent in the engine (BEP 52): a v2-only torrent, or a hybrid one whose v2
 * half is checked too.
 *
 * v2-only: webtorrent runs it under its truncated v2 info-hash (handshakes, trackers, the DHT),
 * each file starting a piece (webtorrent/parsed-torrent.ts). Each downloaded piece is hashed in
 * the storage worker, the BEP 52 way, and checked against its file's piece layer (or the file's
 * root, for a file of one piece); so is each stored piece a start-up check reads back. A file's
 * piece layer comes from the .torrent, or else from peers (hash requests, each answer proven up to
 * the file's root: v2-layer-requests.ts) and is then kept in the torrent's .torrent. Peers'
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
import { buildLayers, equalBytes, pieceLayerOf } from '../../core/file-storage/merkle'
import { answerHashRequest, hashRequestProblem, type HashRequest } from '../../core/file-storage/merkle-proof'
import type { Metainfo, TorrentFile } from '../../core/torrent-parser/metainfo'
import { hex } from '../../core/torrent-parser/metainfo-v2'
import { withPieceLayers } from '../../core/torrent-parser/torrent-with-layers'
import { v2Piece } from '../../core/file-storage/v2-pieces'
import { AppError } from '../../protocol/errors'
import type { StorageClient } from '../../storage/file-storage/storage-client'
import { HashExchange } from '../peer-connection/v2-hash-exchange'
import { PieceLayerRequests } from '../peer-connection/v2-layer-requests'
import type { OwnPieceCheck } from '../webtorrent/piece-hashing'
import { parsedV2Magnet, parsedV2Torrent, pieceToken, type ParsedTorrent } from '../webtorrent/parsed-torrent'
import { hookV2Torrent } from '../webtorrent/torrent-hooks'
import { hookUtMetadata } from '../webtorrent/ut-metadata'

/** A peer connection, as far as this needs it. */
export interface V2Wire {
  on(event: 'unknownmessage', listener: (message: Uint8Array) => void): unknown
  once(event: 'close', listener: () => void): unknown
  readonly destroyed?: boolean
}

/** What a v2 torrent needs of the engine. */
export interface V2TorrentHost {
  storage: Pick<StorageClient, 'hashStoredV2'>
  /** Our parser, in its worker (engine/torrent-parser/parse-service.ts). */
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

const NO_MATCH = new ArrayBuffer(20)

export class V2Torrent {
  torrent: object = {}
  /** The exact .torrent (as added, or the metadata from peers), with the piece layers fetched since. */
  torrentFile: Uint8Array | undefined
  private meta: Metainfo | undefined
  private info: Uint8Array | undefined
  private readonly trees = new Map<string, { layers: Uint8Array[]; lowest: number }>()
  /** The piece layers a v2-only torrent's .torrent lacks, asked of peers. */
  private readonly layerRequests: PieceLayerRequests
  private stopped = false
  private magnetName: string | undefined

  private constructor(
    readonly infoHash: string,
    private readonly infoHashV2: string | undefined,
    readonly mode: 'v2' | 'hybrid',
    private readonly host: V2TorrentHost,
  ) {
    this.layerRequests = new PieceLayerRequests({
      fileName: (root) => this.fileName(root),
      layerFetched: (root, layer) => this.layerFetched(root, layer),
      badPeer: (wire, reason) => host.badPeer(wire, reason),
    })
  }

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
    this.layerRequests.close()
  }

  private onWire(wire: V2Wire): void {
    // a web seed (webtorrent's wire type "webSeed") has pieces only: no metadata, no hashes to ask for
    if (this.mode === 'hybrid' || this.stopped || (wire as { type?: unknown }).type === 'webSeed') return
    hookUtMetadata(wire, this)
    const requests = this.layerRequests
    requests.addPeer(new HashExchange(wire, {
      answer: (request) => this.answer(request),
      hashes: (request, hashes, from) => requests.hashes(request, hashes, from),
      rejected: (request, from) => requests.rejected(request, from),
      misbehaved: (from, reason) => requests.misbehaved(from, reason),
      closed: (from) => requests.closed(from),
    }))
  }

  private setMetainfo(meta: Metainfo): void {
    this.meta = meta
    this.info = meta.infoBytes
    if (this.mode === 'v2') this.layerRequests.fetchMissing(meta)
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
    if (this.stopped || !file.piecesRoot) return undefined
    await this.layerRequests.layerArrival(file.piecesRoot)
    return this.meta && v2Piece(this.meta, index)?.expected
  }

  // --- peers' hash requests (v2-hash-exchange.ts), and the layers ours fetched (v2-layer-requests.ts) ---

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

  private fileName(root: Uint8Array): string {
    return this.meta?.files.find((f) => f.piecesRoot && equalBytes(f.piecesRoot, root))?.name ?? 'a file'
  }

  private layerFetched(piecesRoot: Uint8Array, layer: Uint8Array): void {
    const meta = this.meta
    if (!meta) return
    for (const file of meta.files) if (file.piecesRoot && equalBytes(file.piecesRoot, piecesRoot)) file.pieceLayer = layer
    if (this.torrentFile) {
      this.torrentFile = withPieceLayers(this.torrentFile, [[piecesRoot, layer]])
      this.host.torrentFileChanged(this.torrentFile)
    }
  }
}

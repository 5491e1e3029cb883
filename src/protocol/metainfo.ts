/**
 * A parsed torrent (core/torrent-parser/metainfo.ts parses and validates it): the type every realm shares, the
 * parse worker's answer (parse-messages.ts) among them.
 */

/** Which BitTorrent the torrent is for: BEP 3, BEP 52, or both at once (a hybrid). */
export type MetaVersion = 'v1' | 'v2' | 'hybrid'

export interface TorrentFile {
  index: number
  path: string[] // sanitised components, relative to the torrent root
  name: string // path.join('/')
  length: number
  offset: number // byte offset of the file within the torrent's concatenated data
  pad: boolean // BEP 47 padding file: zeros that exist only to align the next file to a piece
  /** BEP 52: the root of the file's merkle tree (32 bytes); non-empty files of v2 and hybrid torrents. */
  piecesRoot?: Uint8Array
  /** BEP 52: the file's piece layer (32 bytes a piece), for a file longer than one piece when the .torrent carries it. */
  pieceLayer?: Uint8Array
}

export interface Metainfo {
  version: MetaVersion
  /**
   * 40 lowercase hex: what names the torrent in handshakes, at trackers and in this app. The
   * SHA-1 of the raw info bytes (v1, hybrid), or their SHA-256 cut to 20 bytes (v2).
   */
  infoHash: string
  /** 64 lowercase hex: the SHA-256 of the raw info bytes (v2, hybrid). */
  infoHashV2?: string
  name: string // sanitised
  pieceLength: number
  pieceCount: number
  lastPieceLength: number
  /** Total bytes, padding files included (in a v2 torrent, the padding that aligns each file to a piece). */
  length: number
  /** In torrent order, padding included; a single-file torrent has one file, named after the torrent (v1) or its file tree's one file (v2). */
  files: TorrentFile[]
  pieceHashes: Uint8Array // v1: 20 * pieceCount bytes of SHA-1; empty in a v2 torrent
  announce: string[] // announce-list tiers flattened, then announce; deduped; http/https/udp/ws/wss only
  urlList: string[] // BEP 19 web seeds, http/https only
  private: boolean
  comment?: string
  createdBy?: string
  infoBytes: Uint8Array // raw bencoded info dict
}

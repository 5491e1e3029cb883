/**
 * What webtorrent is handed for a BitTorrent v2-only torrent. `client.add` takes "a parsed
 * torrent" (documented: parse-torrent's result) as well as a .torrent or a magnet, and uses it
 * without parsing anything itself; parse-torrent cannot read a v2 torrent (it wants `info.pieces`),
 * so the object is built here from our own parser's Metainfo. Its fields are the ones webtorrent
 * 3.0.21's Torrent reads (_processParsedTorrent, _onMetadata, File): none of them is documented,
 * hence this file's place behind the door (README.md).
 *
 * - infoHash: the v2 info-hash cut to 20 bytes, what names the torrent in handshakes and
 *   announces (BEP 52), so webtorrent and the bridge speak the v2 swarm's name.
 * - files: the torrent's files with the padding BEP 52 implies after each (Metainfo lists it), so
 *   webtorrent's pieces line up with the v2 pieces: each file starts a piece.
 * - pieces: webtorrent compares the "SHA-1" of each piece with these. A v2 piece has no SHA-1:
 *   piece-hashing.ts has the worker hash it the BEP 52 way (the torrent's pieceCheck) and hands webtorrent's compare
 *   `pieceToken(index)` when it matches, zeros when not. A token is no hash of anything, so a piece
 *   that reached webtorrent's own SHA-1 compare (a hook that failed) is refused, never accepted.
 * - info: the info dictionary as parse-torrent gives it (it is re-encoded into webtorrent's
 *   `metadata`; ut-metadata.ts serves the exact bytes to peers instead).
 */
import { bdecode } from '../../core/torrent-parser/bencode'
import type { Metainfo } from '../../core/torrent-parser/metainfo'
import { hexOf, pieceHashesHex } from '../../core/torrent-parser/piece-hashes-hex'

/** One file as parse-torrent lists it. */
export interface ParsedFile {
  path: string
  name: string
  length: number
  offset: number
}

/** The parse-torrent result webtorrent reads (a magnet's has no metadata fields). */
export interface ParsedTorrent {
  infoHash: string
  /** The exact info dictionary (parse-torrent's field; webtorrent 3.0.21 itself does not read it). */
  infoBuffer?: Uint8Array
  name?: string
  announce: string[]
  urlList: string[]
  private?: boolean
  info?: Map<string, unknown>
  files?: ParsedFile[]
  length?: number
  pieceLength?: number
  lastPieceLength?: number
  pieces?: string[]
}

const TOKEN_TAG = [0x76, 0x32, 0x2d, 0x70, 0x69, 0x65, 0x63, 0x65] // "v2-piece"

/** The 20 bytes webtorrent holds for v2 piece `index` in place of a SHA-1: never all zeros. */
export function pieceToken(index: number): Uint8Array {
  const token = new Uint8Array(20)
  token.set(TOKEN_TAG)
  new DataView(token.buffer).setFloat64(8, index)
  token[19] = 0xff
  return token
}

/** The torrent as webtorrent takes it (a v2-only Metainfo, whose infoBytes our parser checked). */
export function parsedV2Torrent(meta: Metainfo): ParsedTorrent {
  return {
    infoHash: meta.infoHash,
    name: meta.name,
    announce: [],
    urlList: [],
    private: meta.private,
    // Maps with text keys, byte strings and numbers: what webtorrent's bencode encodes back
    info: bdecode(meta.infoBytes) as Map<string, unknown>,
    files: webtorrentFiles(meta),
    length: meta.length,
    pieceLength: meta.pieceLength,
    lastPieceLength: meta.lastPieceLength,
    pieces: Array.from({ length: meta.pieceCount }, (_, i) => hexOf(pieceToken(i))),
  }
}

/**
 * The torrent as webtorrent takes it, for a v1-only Metainfo: what parse-torrent would make of the
 * same .torrent, from our parser's result. Handed a .torrent, parse-torrent decodes it again,
 * bencode-encodes the info dictionary back (one TextEncoder call per key, number and length: some
 * 0.9 s for 10,000 files, the largest share of a resume; docs/BENCHMARKS.md) and hashes that; our
 * parser has already taken the exact info bytes and their SHA-1 (meta.infoHash), so nothing here
 * encodes or hashes. `info` is only what makes webtorrent start from metadata (its `_onListening`
 * reads `this.info`); exact-torrent-file.ts keeps webtorrent from encoding it back.
 */
export function parsedV1Torrent(meta: Metainfo): ParsedTorrent {
  if (meta.version !== 'v1') throw new Error(`parsedV1Torrent takes a v1 torrent, not ${meta.version}`)
  return {
    infoHash: meta.infoHash,
    infoBuffer: meta.infoBytes,
    name: meta.name,
    announce: [...meta.announce],
    urlList: [...meta.urlList],
    private: meta.private,
    info: bdecode(meta.infoBytes) as Map<string, unknown>,
    files: webtorrentFiles(meta),
    length: meta.length,
    pieceLength: meta.pieceLength,
    lastPieceLength: meta.lastPieceLength,
    pieces: pieceHashesHex(meta.pieceHashes),
  }
}

/** A v2-only magnet link: webtorrent fetches the metadata (ut-metadata.ts checks it), then torrent-hooks.ts hands it parsedV2Torrent. */
export function parsedV2Magnet(link: { infoHash: string; name?: string }): ParsedTorrent {
  return { infoHash: link.infoHash, ...(link.name ? { name: link.name } : {}), announce: [], urlList: [] }
}

/** The files as parse-torrent lists them: a path under the torrent's name (or the name alone for one file). */
function webtorrentFiles(meta: Metainfo): ParsedTorrent['files'] {
  const single = meta.files.length === 1
  return meta.files.map((file) => {
    const path = single ? file.name : `${meta.name}/${file.name}`
    return { path, name: file.path[file.path.length - 1] ?? file.name, length: file.length, offset: file.offset }
  })
}

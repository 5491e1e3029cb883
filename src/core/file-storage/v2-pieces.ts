/**
 * A v2 (or hybrid) torrent's pieces as BEP 52 checks them: each file starts a piece, so a piece
 * holds the bytes of one file, then padding up to the next file; its bytes are checked against
 * the file's piece layer (or, for a file of one piece, its pieces root) by the merkle hash of the
 * file's bytes alone. For the engine's piece checks, re-checks and answers to hash requests.
 */
import { HASH_SIZE, equalBytes, pieceHash, pieceLeafCount } from './merkle'
import type { Metainfo, TorrentFile } from '../torrent-parser/metainfo'

export interface V2Piece {
  /** The file whose bytes the piece holds. */
  file: TorrentFile
  /** The piece's place among its file's pieces. */
  pieceInFile: number
  /** Bytes of the file in the piece; the rest of the piece, if any, is padding. */
  dataLength: number
  /** Leaves under the hash the piece is checked against. */
  leaves: number
  /** That hash (32 bytes), or undefined while the file's piece layer is not known (from peers, by hash requests). */
  expected?: Uint8Array
}

/** The file of piece `index` and what its bytes are checked against; null for an index out of range. */
export function v2Piece(meta: Pick<Metainfo, 'files' | 'pieceLength' | 'pieceCount'>, index: number): V2Piece | null {
  if (!Number.isInteger(index) || index < 0 || index >= meta.pieceCount) return null
  const start = index * meta.pieceLength
  // the last file with bytes that starts at or before the piece (files are in offset order)
  let low = 0
  let high = meta.files.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    if ((meta.files[mid] as TorrentFile).offset <= start) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  for (let i = found; i >= 0; i--) {
    const file = meta.files[i] as TorrentFile
    if (file.length === 0) continue
    if (file.pad || !file.piecesRoot || start >= file.offset + file.length) return null // padding, or v1 only
    const pieceInFile = (start - file.offset) / meta.pieceLength
    const piece: V2Piece = {
      file,
      pieceInFile,
      dataLength: Math.min(meta.pieceLength, file.offset + file.length - start),
      leaves: pieceLeafCount(file.length, meta.pieceLength),
    }
    if (file.length <= meta.pieceLength) piece.expected = file.piecesRoot
    else if (file.pieceLayer) piece.expected = file.pieceLayer.subarray(pieceInFile * HASH_SIZE, (pieceInFile + 1) * HASH_SIZE)
    return piece
  }
  return null
}

/**
 * Checks piece `index` (its bytes as stored: the file's, then any padding) by BEP 52: true or
 * false, or undefined when the hash to check against is not known yet.
 */
export async function verifyV2Piece(meta: Pick<Metainfo, 'files' | 'pieceLength' | 'pieceCount'>, index: number, bytes: Uint8Array): Promise<boolean | undefined> {
  const piece = v2Piece(meta, index)
  if (!piece) return false
  if (!piece.expected) return undefined
  if (bytes.length < piece.dataLength) return false
  return equalBytes(await pieceHash(bytes.subarray(0, piece.dataLength), piece.leaves), piece.expected)
}

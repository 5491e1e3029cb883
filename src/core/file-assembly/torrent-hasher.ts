/**
 * Hashes a new torrent's files as they are read, in torrent order: SHA-1 piece hashes for v1
 * (pieces run across file boundaries), a merkle tree per file for v2 (BEP 52: each file starts a
 * piece, its 16 KiB blocks are the leaves), or both for a hybrid, whose v1 pieces are the v2
 * pieces with each file's last one filled with zeros: the BEP 47 padding files that align the
 * next file (and, as libtorrent 2.0.8 and later write them, the last file too when there are
 * several). Pure: the create worker feeds it from the user's files, the tests from disk.
 */
import { AppError } from '../../protocol/errors'
import { HASH_SIZE, hashBlocks, pieceLeafCount, rootFromPieceLayer, subtreeRoot } from '../file-storage/merkle'
import type { MetaVersion } from '../torrent-parser/metainfo'

/** SHA-1 digest size. */
const SHA1_BYTES = 20

/** One file's BEP 52 hashes: none for an empty file; the piece layer only for a file longer than a piece. */
export interface FileHashes {
  piecesRoot?: Uint8Array
  pieceLayer?: Uint8Array
}

export interface TorrentHashes {
  /** v1 (and hybrid): 20 bytes a piece of the v1 layout; empty for v2. */
  pieceHashes: Uint8Array
  /** v2 (and hybrid): per file, in order; empty for v1. */
  files: FileHashes[]
}

/** Pieces of the layout: v1 runs files together; v2 and hybrid start each non-empty file on a piece. */
export function layoutPieceCount(version: MetaVersion, pieceLength: number, fileLengths: readonly number[]): number {
  if (version === 'v1') return Math.ceil(fileLengths.reduce((a, b) => a + b, 0) / pieceLength)
  return fileLengths.reduce((n, length) => n + Math.ceil(length / pieceLength), 0)
}

export class TorrentHasher {
  private readonly piece: Uint8Array<ArrayBuffer>
  private filled = 0
  private file = 0
  /** Bytes of the current file taken so far. */
  private fileOffset = 0
  private readonly pieceHashes: Uint8Array
  private pieceCount = 0
  private readonly files: FileHashes[]
  /** The current file's piece hashes (v2), 32 bytes each. */
  private layer: Uint8Array[] = []
  /** Index of the last file with bytes: the one a single-file hybrid does not pad. */
  private readonly lastWithData: number

  constructor(
    readonly version: MetaVersion,
    readonly pieceLength: number,
    private readonly fileLengths: readonly number[],
    /** A single-file hybrid is `info.length`, its last piece short like v1's: no padding after it. */
    private readonly singleFile = false,
  ) {
    if ((pieceLength & (pieceLength - 1)) !== 0 && version !== 'v1') throw new AppError('BAD_INPUT', 'A v2 piece length must be a power of two.')
    this.piece = new Uint8Array(pieceLength)
    this.pieceHashes = new Uint8Array(version === 'v2' ? 0 : layoutPieceCount(version, pieceLength, fileLengths) * SHA1_BYTES)
    this.files = version === 'v1' ? [] : fileLengths.map(() => ({}))
    let last = fileLengths.length - 1
    while (last > 0 && fileLengths[last] === 0) last--
    this.lastWithData = last
    this.skipEmptyFiles()
  }

  /** Takes the next bytes of the files, in order; a chunk may not run past the end of its file. */
  async update(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const length = this.fileLengths[this.file]
      if (length === undefined) throw new RangeError('more bytes than the files hold')
      const n = Math.min(chunk.length - at, this.pieceLength - this.filled, length - this.fileOffset)
      this.piece.set(chunk.subarray(at, at + n), this.filled)
      this.filled += n
      this.fileOffset += n
      at += n
      const fileDone = this.fileOffset === length
      if (this.filled === this.pieceLength || (fileDone && this.version !== 'v1')) await this.flushPiece(fileDone)
      if (fileDone) {
        if (this.version !== 'v1') this.endFile()
        this.file++
        this.fileOffset = 0
        this.skipEmptyFiles()
      }
    }
  }

  /** The hashes, once every byte of every file was given. */
  async finish(): Promise<TorrentHashes> {
    if (this.file < this.fileLengths.length) throw new RangeError('fewer bytes than the files hold')
    if (this.filled > 0) await this.flushPiece(true) // v1: the short last piece
    return { pieceHashes: this.pieceHashes, files: this.files }
  }

  private skipEmptyFiles(): void {
    while (this.fileLengths[this.file] === 0) this.file++
  }

  private async flushPiece(fileDone: boolean): Promise<void> {
    const data = this.piece.subarray(0, this.filled)
    let sha1: Promise<ArrayBuffer> | undefined
    if (this.version !== 'v2') {
      // a hybrid's v1 piece at a file's end runs on into its padding: zeros
      const padded = this.version === 'hybrid' && fileDone && !(this.singleFile && this.file === this.lastWithData)
      if (padded) this.piece.fill(0, this.filled)
      sha1 = crypto.subtle.digest('SHA-1', padded ? this.piece : data)
    }
    // a hybrid's SHA-1 and SHA-256 digests in flight together (WebCrypto copies its input first)
    const blocks = this.version !== 'v1' ? hashBlocks(data) : undefined
    if (sha1) this.pieceHashes.set(new Uint8Array(await sha1), this.pieceCount * SHA1_BYTES)
    if (blocks) this.layer.push(subtreeRoot(await blocks, 0, pieceLeafCount(this.fileLengths[this.file] as number, this.pieceLength)))
    this.pieceCount++
    this.filled = 0
  }

  private endFile(): void {
    const length = this.fileLengths[this.file] as number
    const hashes = this.files[this.file] as FileHashes
    if (length <= this.pieceLength) {
      // one piece: its hash, over the file's own leaves, is the root
      hashes.piecesRoot = this.layer[0] as Uint8Array
    } else {
      const layer = new Uint8Array(this.layer.length * HASH_SIZE)
      this.layer.forEach((hash, i) => layer.set(hash, i * HASH_SIZE))
      hashes.pieceLayer = layer
      hashes.piecesRoot = rootFromPieceLayer(layer, this.pieceLength, length)
    }
    this.layer = []
  }
}

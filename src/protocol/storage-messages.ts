/** Calls from the page's chunk store to the storage worker (OPFS), inside the RPC envelope (rpc-messages.ts). */

export interface StorageLayout {
  /** Byte length of each torrent file, in torrent order; the file offsets follow from them. */
  fileLengths: number[]
  pieceLength: number
}

/**
 * Fast resume without reading every file's size first (docs/BENCHMARKS.md): the least size each
 * file holding verified pieces must have (core/file-storage/bitfield.ts leastFileSizes). The
 * worker checks each such file the first time it opens it, before any write to it, and in
 * 'check-sizes' batches; a file shorter than that refuses reads and writes with RESUME_MISMATCH.
 */
export interface ResumeSizes {
  fileIndices: number[]
  minSizes: number[]
}

export type StorageRequest =
  /** With `resume`: no listing of the torrent's folder, the files' sizes checked as they are used. */
  | { type: 'open'; torrent: string; layout: StorageLayout; resume?: ResumeSizes }
  | { type: 'put'; torrent: string; index: number; data: ArrayBuffer }
  | { type: 'get'; torrent: string; index: number; offset: number; length: number }
  /** Close the handle of one file so the window can read it as a disk-backed File. */
  | { type: 'release'; torrent: string; fileIndex: number }
  | { type: 'close'; torrent: string }
  /** Size on disk of each file (-1 when missing), for fast resume. Opens the torrent first. */
  | { type: 'stat'; torrent: string; layout: StorageLayout }
  /**
   * Checks up to `max` of the files an 'open' with `resume` named that were not checked yet;
   * answered as `check`: how many are left, and the files found shorter than they must be.
   */
  | { type: 'check-sizes'; torrent: string; max: number }
  /** Close and delete every file of the torrent. */
  | { type: 'destroy'; torrent: string }
  /**
   * The SHA-1 of a piece the page just downloaded (answered as `data`), and with `check.v2` its
   * BEP 52 merkle hash (answered as `v2Hash`); the worker keeps the bytes under `held` for the
   * 'put-held' that follows when the hash is right (engine/webtorrent/piece-hashing.ts).
   */
  | { type: 'hash'; held: number; data: ArrayBuffer; check?: PieceHashes }
  /** Write the bytes kept under `held` as piece `index`, and forget them (their buffer is answered as `data`). */
  | { type: 'put-held'; torrent: string; index: number; held: number }
  /** Forget the bytes kept under `held` (the piece failed its hash check, or its torrent stopped); answered with their buffer. */
  | { type: 'drop'; held: number }
  /** BEP 52: the merkle hash of piece `index` as stored (a re-check), answered as `v2Hash`. */
  | { type: 'hash-v2'; torrent: string; index: number; v2: V2PieceShape }

/** BEP 52: which of a piece's bytes are hashed, and into how many leaves (core/file-storage/v2-pieces.ts). */
export interface V2PieceShape {
  /** The file's bytes in the piece; the rest is padding, outside the hash. */
  dataLength: number
  leaves: number
}

/** Which hashes a 'hash' request wants: SHA-1 (v1, hybrid; the default) and the BEP 52 merkle hash (v2, hybrid). */
export interface PieceHashes {
  sha1: boolean
  v2?: V2PieceShape
}

/** The answer to every storage call (a failure is an AppError, carried by the envelope). */
export interface StorageReply { data?: ArrayBuffer; sizes?: number[]; v2Hash?: ArrayBuffer; check?: SizeCheck }

/** The answer to 'check-sizes'. */
export interface SizeCheck {
  /** Files still to check. */
  left: number
  /** Files found shorter than the resume data needs (missing ones too), by index. */
  short: number[]
}

/** OPFS layout: one folder per torrent, one file per torrent file, named by its index. */
export const STORAGE_ROOT = 'torrents'
export function opfsFileName(fileIndex: number): string {
  return `file-${fileIndex}`
}

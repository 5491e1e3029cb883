/** Calls from the page's chunk store to the storage worker (OPFS), inside the RPC envelope (rpc-messages.ts). */

export interface StorageLayout {
  /** Byte length of each torrent file, in torrent order; the file offsets follow from them. */
  fileLengths: number[]
  pieceLength: number
}

export type StorageRequest =
  | { type: 'open'; torrent: string; layout: StorageLayout }
  | { type: 'put'; torrent: string; index: number; data: ArrayBuffer }
  | { type: 'get'; torrent: string; index: number; offset: number; length: number }
  /** Close the handle of one file so the window can read it as a disk-backed File. */
  | { type: 'release'; torrent: string; fileIndex: number }
  | { type: 'close'; torrent: string }
  /** Size on disk of each file (-1 when missing), for fast resume. Opens the torrent first. */
  | { type: 'stat'; torrent: string; layout: StorageLayout }
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
export interface StorageReply { data?: ArrayBuffer; sizes?: number[]; v2Hash?: ArrayBuffer }

/** OPFS layout: one folder per torrent, one file per torrent file, named by its index. */
export const STORAGE_ROOT = 'torrents'
export function opfsFileName(fileIndex: number): string {
  return `file-${fileIndex}`
}

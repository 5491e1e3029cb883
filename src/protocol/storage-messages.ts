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
   * The SHA-1 of a piece the page just downloaded (answered as `data`); the worker keeps the
   * bytes under `held` for the 'put-held' that follows when the hash is right (engine/piece-hashing.ts).
   */
  | { type: 'hash'; held: number; data: ArrayBuffer }
  /** Write the bytes kept under `held` as piece `index`, and forget them (their buffer is answered as `data`). */
  | { type: 'put-held'; torrent: string; index: number; held: number }
  /** Forget the bytes kept under `held` (the piece failed its hash check, or its torrent stopped); answered with their buffer. */
  | { type: 'drop'; held: number }

/** The answer to every storage call (a failure is an AppError, carried by the envelope). */
export interface StorageReply { data?: ArrayBuffer; sizes?: number[] }

/** OPFS layout: one folder per torrent, one file per torrent file, named by its index. */
export const STORAGE_ROOT = 'torrents'
export function opfsFileName(fileIndex: number): string {
  return `file-${fileIndex}`
}

import { ownsWholeBuffer } from '../../core/bytes'
import { storageLayout } from '../../core/file-storage/storage-layout'
import { AppError } from '../../protocol/errors'
import { reusePieceBuffer, takeHeld } from './held-pieces'
import type { StorageClient } from './storage-client'

type Callback<T = void> = (err: Error | null, value?: T) => void

/** What webtorrent passes a chunk store's constructor (the parts we use). */
interface StoreOptions {
  torrent: { infoHash: string; ready: boolean }
  files: { length: number }[]
  length: number
}

/**
 * webtorrent's chunk-store contract (`opts.store`) over the storage worker. webtorrent's own
 * browser store (fsa-chunk-store) keeps every piece as its own OPFS file and writes on the main
 * thread; this one writes pieces at their offsets into the torrent's files, in a worker.
 */
export function opfsChunkStore(storage: StorageClient, onCheckRead: (infoHash: string) => void = () => {}, onShortFile: (infoHash: string) => void = () => {}) {
  return class OpfsChunkStore {
    readonly chunkLength: number
    private readonly torrent: string
    private readonly ready: Promise<void>
    private readonly totalLength: number
    private readonly owner: { infoHash: string; ready: boolean }
    private closed = false

    constructor(chunkLength: number, opts: StoreOptions) {
      this.chunkLength = chunkLength
      this.torrent = opts.torrent.infoHash
      this.totalLength = opts.length
      this.owner = opts.torrent
      this.ready = storage.open(this.torrent, storageLayout({ files: opts.files, pieceLength: chunkLength }))
      this.ready.catch(() => {}) // reported by the first put or get
    }

    put(index: number, buf: Uint8Array, cb: Callback = () => {}): void {
      if (this.closed) return queueMicrotask(() => cb(new Error('Storage is closed')))
      // the piece's bytes went to the worker with its hash (engine/webtorrent/piece-hashing.ts)
      const heldId = takeHeld(buf)
      if (heldId !== undefined) {
        this.ready.then(() => storage.putHeld(this.torrent, index, heldId)).then((spare) => {
          reusePieceBuffer(spare)
          cb(null)
        }, (err: Error) => cb(err))
        return
      }
      // A verified piece (a buffer of its own, made by webtorrent's Piece.flush) is transferred as
      // is: webtorrent keeps it only to answer reads of this piece until we call back, and it
      // reads only pieces it has marked verified, which it does in our callback. Anything else
      // (a view into a larger buffer) is copied, so a caller's buffer is never detached under it.
      const data = ownsWholeBuffer(buf) ? buf.buffer : buf.slice().buffer
      this.ready.then(() => storage.put(this.torrent, index, data)).then(() => cb(null), (err: Error) => cb(err))
    }

    get(index: number, opts: { offset?: number; length?: number } | null | undefined, cb: Callback<Uint8Array>): void {
      if (typeof opts === 'function') [cb, opts] = [opts as Callback<Uint8Array>, undefined]
      if (this.closed) return queueMicrotask(() => cb(new Error('Storage is closed')))
      // Reads before the torrent is ready are webtorrent's start-up check: count them.
      if (!this.owner.ready) onCheckRead(this.torrent)
      const offset = opts?.offset ?? 0
      const pieceLength = Math.min(this.chunkLength, this.totalLength - index * this.chunkLength)
      const length = opts?.length ?? pieceLength - offset
      this.ready
        .then(() => storage.get(this.torrent, index, offset, length))
        .then((data) => cb(null, data), (err: Error) => {
          // webtorrent takes a failed read as "not there" (a peer's request refused, a sample piece
          // unverified); a file shorter than the resume data says is the engine's to re-check
          if (AppError.from(err).code === 'RESUME_MISMATCH') onShortFile(this.torrent)
          cb(err)
        })
    }

    close(cb: Callback = () => {}): void {
      this.closed = true
      storage.close(this.torrent).then(() => cb(null), (err: Error) => cb(err))
    }

    destroy(cb: Callback = () => {}): void {
      this.closed = true
      storage.destroy(this.torrent).then(() => cb(null), (err: Error) => cb(err))
    }
  }
}

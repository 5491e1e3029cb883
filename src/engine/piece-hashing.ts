/**
 * The SHA-1 of each downloaded piece is computed in the storage worker, not on the page's main
 * thread. webtorrent hashes a piece it has just assembled (Piece.flush) with
 * crypto.subtle.digest, which first copies the whole piece on the calling thread: that copy was
 * the page's costliest call while downloading. Then, when the hash matches, it hands the very
 * same buffer to the store's put.
 *
 * So: buffers made by Piece.flush are marked; a SHA-1 digest of a marked buffer transfers it to
 * the worker, which hashes it and keeps it; the store's put of that (now detached) buffer writes
 * the kept bytes (takeHeld, storage/held-pieces.ts). A piece that failed its check is never put: the worker drops it once
 * webtorrent has had its chance. Any other digest goes to the browser's own, untouched.
 *
 * The buffers themselves come back: the worker returns each one once it has written (or dropped)
 * it, and the next piece is assembled into it (see flushInto). A new 1 MiB buffer per piece cost
 * more than the copy into it: zeroing and a page fault per 4 KiB page.
 */
import { ownsWholeBuffer } from '../core/bytes'
import { holdPiece, releaseHeld, reusePieceBuffer, takeSpareBuffer } from '../storage/held-pieces'

/** What this needs of the storage worker's client (storage/storage-client.ts). */
export interface PieceHasher {
  /** SHA-1 of `data`, which is transferred to the worker and kept there under `held`. */
  hashHeld(held: number, data: ArrayBuffer): Promise<ArrayBuffer>
  /** Forgets what is kept under `held`; resolves with its buffer, given back. */
  drop(held: number): Promise<ArrayBuffer | undefined>
}

/** The part of a webtorrent Torrent used here. */
export interface PieceSource {
  /** webtorrent's Piece of each piece still to download (null once verified), after 'metadata'. */
  readonly pieces?: readonly (object | null)[]
  once(event: 'metadata' | 'ready', listener: () => void): unknown
}

type Algorithm = string | { name: string }

/** Buffers of pieces just assembled by webtorrent, not yet hashed. */
const assembled = new WeakSet<ArrayBuffer>()
let hooked = false
let flushPatched = false

function isSha1(algorithm: Algorithm): boolean {
  const name = typeof algorithm === 'string' ? algorithm : algorithm.name
  return name.toUpperCase() === 'SHA-1'
}

/** Routes the SHA-1 of assembled pieces through `storage` (once per page). */
export function hashPiecesInWorker(storage: PieceHasher): void {
  if (hooked || typeof crypto === 'undefined' || !crypto.subtle) return
  hooked = true
  const subtle = crypto.subtle as unknown as { digest(algorithm: Algorithm, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer> }
  const digest = subtle.digest.bind(subtle)
  subtle.digest = (algorithm, data) => {
    const buffer = ArrayBuffer.isView(data) ? data.buffer : data
    if (!(buffer instanceof ArrayBuffer) || !assembled.has(buffer) || !isSha1(algorithm)) return digest(algorithm, data)
    assembled.delete(buffer)
    const id = holdPiece(buffer)
    const result = storage.hashHeld(id, buffer)
    // webtorrent puts a piece whose hash is right in the continuation of this promise, before
    // any timer runs; a piece it does not put by then (wrong hash, torrent gone) is dropped
    const forget = () => {
      if (!releaseHeld(buffer, id)) return
      storage.drop(id).then(reusePieceBuffer, () => {})
    }
    result.then(() => setTimeout(forget), forget)
    return result
  }
}

/**
 * Marks the buffers webtorrent's Piece.flush makes. webtorrent bundles its Piece class without
 * exporting it: it is found through a torrent's pieces, once the torrent has its metadata.
 */
export function markAssembledPieces(torrent: PieceSource): void {
  const patch = () => patchFlush(torrent)
  torrent.once('metadata', patch)
  torrent.once('ready', patch)
}

/** The fields of torrent-piece's Piece that its flush reads and clears (webtorrent 3.0.x). */
interface PieceInternals {
  length: number
  _chunks: number
  _buffered: number
  _buffer: Uint8Array[] | null
  _cancellations: unknown
  sources: unknown
  _flushed: boolean
}

function hasPieceShape(piece: object): piece is PieceInternals {
  const p = piece as Partial<PieceInternals>
  return typeof p.length === 'number' && typeof p._chunks === 'number' && typeof p._buffered === 'number' &&
    typeof p._flushed === 'boolean' && '_buffer' in p && 'sources' in p && '_cancellations' in p
}

/**
 * torrent-piece's flush, assembling into a spare buffer rather than a new one. Its own (a
 * `concat` of the blocks) is kept for a piece of any other shape, so an upgrade of webtorrent
 * that changes Piece costs speed, not correctness.
 */
function flushInto(piece: PieceInternals): Uint8Array | null {
  const blocks = piece._buffer
  if (!blocks || piece._chunks !== piece._buffered) return null
  const out = new Uint8Array(takeSpareBuffer(piece.length))
  let at = 0
  for (const block of blocks) {
    out.set(block, at)
    at += block.length
  }
  if (at !== piece.length) return null // never: the blocks of a whole piece fill it
  piece._buffer = null
  piece._cancellations = null
  piece.sources = null
  piece._flushed = true
  return out
}

function patchFlush(torrent: PieceSource): void {
  if (flushPatched || !hooked) return
  const piece = torrent.pieces?.find((p) => p !== null)
  if (!piece) return // nothing left to download; another torrent will do
  const proto = Object.getPrototypeOf(piece) as { flush?: (this: object) => Uint8Array | null }
  const flush = proto.flush
  if (typeof flush !== 'function') return
  flushPatched = true
  proto.flush = function (this: object) {
    const buf = (hasPieceShape(this) && flushInto(this)) || flush.call(this)
    // a buffer of its own (ours, or webtorrent's concatenation of the blocks): safe to transfer
    if (buf && ownsWholeBuffer(buf)) assembled.add(buf.buffer)
    return buf
  }
}

/**
 * The SHA-1 of each downloaded piece is computed in the storage worker, not on the page's main
 * thread. webtorrent hashes a piece it has just assembled (Piece.flush) with
 * crypto.subtle.digest, which first copies the whole piece on the calling thread: that copy was
 * the page's costliest call while downloading. Then, when the hash matches, it hands the very
 * same buffer to the store's put.
 *
 * So: each of our torrents gets a `pieceCheck` (the hook piece-check-hook.ts adds to webtorrent's
 * piece handler), which transfers the assembled buffer to the worker, which hashes it and keeps
 * it; the store's put of that (now detached) buffer writes the kept bytes (takeHeld, storage/file-storage/held-pieces.ts). A piece
 * that failed its check is never put: the worker drops it once webtorrent has had its chance.
 * No other digest in the page is touched.
 *
 * The buffers themselves come back: the worker returns each one once it has written (or dropped)
 * it, and the next piece is assembled into it (see flushInto). A new 1 MiB buffer per piece cost
 * more than the copy into it: zeroing and a page fault per 4 KiB page.
 */
import { ownsWholeBuffer } from '../../core/bytes'
import type { PieceHashes } from '../../protocol/storage-messages'
import { holdPiece, releaseHeld, reusePieceBuffer, takeSpareBuffer } from '../../storage/file-storage/held-pieces'

/** What this needs of the storage worker's client (storage/file-storage/storage-client.ts). */
export interface PieceHasher {
  /** SHA-1 of `data`, which is transferred to the worker and kept there under `held`. */
  hashHeld(held: number, data: ArrayBuffer): Promise<ArrayBuffer>
  /** The hashes `check` asks for of `data`, which is transferred to the worker and kept there under `held`. */
  checkHeld(held: number, data: ArrayBuffer, check: PieceHashes): Promise<{ sha1?: ArrayBuffer; v2?: ArrayBuffer }>
  /** Forgets what is kept under `held`; resolves with its buffer, given back. */
  drop(held: number): Promise<ArrayBuffer | undefined>
}

/** The part of a webtorrent Torrent used here. */
export interface PieceSource {
  /** webtorrent's Piece of each piece still to download (null once verified), after 'metadata'. */
  readonly pieces?: readonly (object | null)[]
  /** The hook piece-check-hook.ts adds: the hex a piece is compared with its metainfo SHA-1 by. */
  pieceCheck?: (index: number, piece: Uint8Array) => Promise<string>
  once(event: 'metadata' | 'ready', listener: () => void): unknown
}

/**
 * A piece checked another way than by webtorrent's SHA-1 compare (BEP 52 v2 and hybrid torrents,
 * engine/download-manager/v2-torrent.ts): the hashes the worker computes, and what webtorrent's compare is handed.
 */
export interface OwnPieceCheck {
  check: PieceHashes
  /** The "SHA-1" webtorrent compares with what it holds for the piece: equal exactly when the piece is good. */
  answer(hashes: { sha1?: ArrayBuffer; v2?: ArrayBuffer }): Promise<ArrayBuffer>
}

let flushPatched = false

const hex = (digest: ArrayBuffer) => Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')

/**
 * Checks `torrent`'s downloaded pieces in the worker through `storage`: call right after
 * `client.add`, before any piece arrives. `checkOf` names the pieces checked another way (v2).
 */
export function hashPiecesInWorker(torrent: PieceSource, storage: PieceHasher, checkOf?: (index: number) => OwnPieceCheck | undefined): void {
  torrent.pieceCheck = async (index, piece) => {
    const own = checkOf?.(index)
    // a buffer of its own (ours, or webtorrent's concatenation of the blocks) is safe to transfer;
    // a view into a larger one never is: webtorrent's SHA-1 on the page, or a copy for a check of our own
    if (!ownsWholeBuffer(piece) && !own) return hex(await crypto.subtle.digest('SHA-1', piece as Uint8Array<ArrayBuffer>))
    const buffer = (ownsWholeBuffer(piece) ? piece : piece.slice()).buffer as ArrayBuffer
    const id = holdPiece(buffer)
    const result = own ? storage.checkHeld(id, buffer, own.check).then((hashes) => own.answer(hashes)) : storage.hashHeld(id, buffer)
    // webtorrent puts a piece whose hash is right in the continuation of this promise, before
    // any timer runs; a piece it does not put by then (wrong hash, torrent gone) is dropped
    const forget = () => {
      if (!releaseHeld(buffer, id)) return
      storage.drop(id).then(reusePieceBuffer, () => {})
    }
    result.then(() => setTimeout(forget), forget)
    return hex(await result)
  }
}

/**
 * Assembles webtorrent's pieces into reused buffers (flushInto). webtorrent bundles its Piece
 * class without exporting it: it is found through a torrent's pieces, once the torrent has its
 * metadata, and its prototype's flush is patched (once per page; the class is shared).
 */
export function assemblePiecesIntoSpareBuffers(torrent: PieceSource): void {
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

export function hasPieceShape(piece: object): piece is PieceInternals {
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
  if (flushPatched) return
  const piece = torrent.pieces?.find((p) => p !== null)
  if (!piece) return // nothing left to download; another torrent will do
  const proto = Object.getPrototypeOf(piece) as { flush?: (this: object) => Uint8Array | null }
  const flush = proto.flush
  if (typeof flush !== 'function') return
  flushPatched = true
  proto.flush = function (this: object) {
    return (hasPieceShape(this) && flushInto(this)) || flush.call(this)
  }
}

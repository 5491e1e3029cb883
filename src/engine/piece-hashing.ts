/**
 * The SHA-1 of each downloaded piece is computed in the storage worker, not on the page's main
 * thread. webtorrent hashes a piece it has just assembled (Piece.flush) with
 * crypto.subtle.digest, which first copies the whole piece on the calling thread: that copy was
 * the page's costliest call while downloading. Then, when the hash matches, it hands the very
 * same buffer to the store's put.
 *
 * So: buffers made by Piece.flush are marked; a SHA-1 digest of a marked buffer transfers it to
 * the worker, which hashes it and keeps it; the store's put of that (now detached) buffer writes
 * the kept bytes (takeHeld). A piece that failed its check is never put: the worker drops it once
 * webtorrent has had its chance. Any other digest goes to the browser's own, untouched.
 */

/** What this needs of the storage worker's client (storage/storage-client.ts). */
export interface PieceHasher {
  /** SHA-1 of `data`, which is transferred to the worker and kept there under `held`. */
  hashHeld(held: number, data: ArrayBuffer): Promise<ArrayBuffer>
  /** Forgets what is kept under `held`. */
  drop(held: number): void
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
/** Buffers transferred to the worker with their hash, by the id the worker keeps them under. */
const held = new WeakMap<ArrayBuffer, number>()
let nextHeld = 1
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
    const id = nextHeld++
    held.set(buffer, id)
    const result = storage.hashHeld(id, buffer)
    // webtorrent puts a piece whose hash is right in the continuation of this promise, before
    // any timer runs; a piece it does not put by then (wrong hash, torrent gone) is dropped
    const forget = () => {
      if (held.get(buffer) !== id) return
      held.delete(buffer)
      storage.drop(id)
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

function patchFlush(torrent: PieceSource): void {
  if (flushPatched || !hooked) return
  const piece = torrent.pieces?.find((p) => p !== null)
  if (!piece) return // nothing left to download; another torrent will do
  const proto = Object.getPrototypeOf(piece) as { flush?: (this: object) => Uint8Array | null }
  const flush = proto.flush
  if (typeof flush !== 'function') return
  flushPatched = true
  proto.flush = function (this: object) {
    const buf = flush.call(this)
    // a buffer of its own (webtorrent concatenates the blocks): safe to transfer
    if (buf && buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) assembled.add(buf.buffer)
    return buf
  }
}

/** For the store's put: the id the worker keeps this piece's bytes under, when they went there with its hash. */
export function takeHeld(buf: Uint8Array): number | undefined {
  const buffer = buf.buffer
  if (!(buffer instanceof ArrayBuffer)) return undefined
  const id = held.get(buffer)
  if (id !== undefined) held.delete(buffer)
  return id
}

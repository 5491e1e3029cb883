/**
 * The held-piece registry: pieces whose bytes went to the storage worker with their hash
 * (engine/webtorrent/piece-hashing.ts), by the id the worker keeps them under, and the buffers the worker
 * gives back to assemble the next pieces into. Storage owns it: the chunk store's put writes a
 * held piece by its id (opfs-chunk-store.ts), and the engine's hashing only registers pieces here.
 */
import { BufferPool } from '../../core/file-storage/buffer-pool'

/** Buffers transferred to the worker with their hash, by the id the worker keeps them under. */
const held = new WeakMap<ArrayBuffer, number>()
let nextHeld = 1
/** Buffers the worker gave back, to assemble the next pieces into (a few are in flight at once). */
const spareBuffers = new BufferPool(32 * 1024 * 1024)
/** Spare buffers go once no piece has come back for this long: nothing is downloading. */
const SPARE_IDLE_MS = 10_000
let spareTimer: ReturnType<typeof setTimeout> | undefined

/** Registers a piece's buffer as about to go to the worker; returns the id it is kept under. */
export function holdPiece(buffer: ArrayBuffer): number {
  const id = nextHeld++
  held.set(buffer, id)
  return id
}

/** Forgets a piece still held under `id` (never put); false when the store's put took it first. */
export function releaseHeld(buffer: ArrayBuffer, id: number): boolean {
  if (held.get(buffer) !== id) return false
  held.delete(buffer)
  return true
}

/** For the store's put: the id the worker keeps this piece's bytes under, when they went there with its hash. */
export function takeHeld(buf: Uint8Array): number | undefined {
  const buffer = buf.buffer
  if (!(buffer instanceof ArrayBuffer)) return undefined
  const id = held.get(buffer)
  if (id !== undefined) held.delete(buffer)
  return id
}

/** A spare buffer of at least `length` bytes to assemble a piece into (a new one when none is spare). */
export function takeSpareBuffer(length: number): ArrayBuffer {
  return spareBuffers.take(length)
}

/** Takes back a piece's buffer the worker has written or dropped, for the next piece. */
export function reusePieceBuffer(buffer: ArrayBuffer | undefined): void {
  if (!buffer) return
  spareBuffers.give(buffer)
  clearTimeout(spareTimer)
  spareTimer = setTimeout(() => spareBuffers.clear(), SPARE_IDLE_MS)
}

/**
 * Spare ArrayBuffers, by byte length, taken again instead of allocating. A fresh large
 * ArrayBuffer costs its zeroing and a page fault per 4 KiB page the first time it is written:
 * assembling each downloaded piece into a new buffer was the page's costliest step while
 * downloading (engine/webtorrent/piece-hashing.ts). Holds at most `maxBytes`; a buffer of a length nobody
 * takes any more (another torrent's pieces) gives way to the ones in use.
 */
export class BufferPool {
  /** Spare buffers by length; a Map keeps lengths in the order they were first given. */
  private readonly spare = new Map<number, ArrayBuffer[]>()
  private held = 0

  constructor(private readonly maxBytes: number) {}

  /** Bytes held as spare buffers. */
  get bytes(): number {
    return this.held
  }

  /** A buffer of exactly `length` bytes: a spare one (holding stale bytes) or a new, zeroed one. */
  take(length: number): ArrayBuffer {
    const list = this.spare.get(length)
    const buffer = list?.pop()
    if (!buffer) return new ArrayBuffer(length)
    this.held -= length
    if (!list!.length) this.spare.delete(length)
    return buffer
  }

  /** Lets every spare buffer go (the garbage collector frees them). */
  clear(): void {
    this.spare.clear()
    this.held = 0
  }

  /** Keeps `buffer` for a later `take`, unless it is empty (detached) or larger than the pool. */
  give(buffer: ArrayBuffer): void {
    const length = buffer.byteLength
    if (length === 0 || length > this.maxBytes) return
    // make room: first from other lengths (least recently first given), then from this one
    for (const [other, list] of this.spare) {
      if (this.held + length <= this.maxBytes) break
      if (other === length) continue
      this.held -= other * list.length
      this.spare.delete(other)
    }
    if (this.held + length > this.maxBytes) return
    const list = this.spare.get(length)
    if (list) list.push(buffer)
    else this.spare.set(length, [buffer])
    this.held += length
  }
}

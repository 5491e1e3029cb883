/**
 * Bytes received and not parsed yet, kept as the chunks they came in: a handshake that arrives one
 * byte per packet costs a copy per step, not a copy of everything so far per packet.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = []
  length = 0

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.length += chunk.length
  }

  /** A copy of the first `n` bytes, or of all of them when fewer are here. */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(Math.min(n, this.length))
    let off = 0
    for (const c of this.chunks) {
      if (off >= out.length) break
      const part = c.subarray(0, out.length - off)
      out.set(part, off)
      off += part.length
    }
    return out
  }

  skip(n: number): void {
    let left = Math.min(n, this.length)
    this.length -= left
    while (left > 0) {
      const first = this.chunks[0]!
      if (first.length <= left) {
        this.chunks.shift()
        left -= first.length
      } else {
        this.chunks[0] = first.subarray(left)
        left = 0
      }
    }
  }

  /** The first `n` bytes (a copy), or null until that many are here. */
  take(n: number): Uint8Array | null {
    if (this.length < n) return null
    const out = this.peek(n)
    this.skip(n)
    return out
  }

  takeAll(): Uint8Array {
    return this.take(this.length)!
  }
}

/**
 * A growing big-endian byte cursor that bridge frames are written with (bridge-codec.ts): it
 * writes into a caller's buffer when that one is large enough, and cuts or refuses text over its
 * limit.
 */

const encoder = new TextEncoder()

export class FrameWriter {
  private buf: Uint8Array
  private view: DataView
  private borrowed: boolean
  length = 0
  /** `into`: the caller's buffer to write in, if at least `size` long (done() then gives a view of it). */
  constructor(size = 64, into?: Uint8Array) {
    this.borrowed = into !== undefined && into.length >= size
    this.buf = this.borrowed ? into! : new Uint8Array(size)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n))
    next.set(this.buf.subarray(0, this.length))
    this.buf = next
    this.view = new DataView(next.buffer)
    this.borrowed = false
  }
  u8(n: number): this { this.room(1); this.view.setUint8(this.length, n); this.length += 1; return this }
  u16(n: number): this { this.room(2); this.view.setUint16(this.length, n); this.length += 2; return this }
  u32(n: number): this { this.room(4); this.view.setUint32(this.length, n); this.length += 4; return this }
  f64(n: number): this { this.room(8); this.view.setFloat64(this.length, n); this.length += 8; return this }
  bytes(b: Uint8Array): this { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; return this }
  text(s: string, max: number, cut: boolean): this {
    let b = encoder.encode(s)
    if (b.length > max) {
      if (!cut) throw new RangeError(`text of ${b.length} bytes is over the limit of ${max}`)
      b = encoder.encode(truncateUtf8(s, max))
    }
    return this.u16(b.length).bytes(b)
  }
  // a full buffer is returned as is: a DATA frame (sized exactly) is not copied a second time
  done(): Uint8Array {
    if (this.borrowed) return this.buf.subarray(0, this.length)
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length)
  }
}

/** The longest prefix of `s` whose UTF-8 fits in `max` bytes (never splits a character). */
function truncateUtf8(s: string, max: number): string {
  let out = ''
  let size = 0
  for (const ch of s) {
    const n = encoder.encode(ch).length
    if (size + n > max) break
    out += ch
    size += n
  }
  return out
}

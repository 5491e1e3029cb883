/**
 * A bounds-checked big-endian cursor over one bridge frame's body (past its two header bytes):
 * every read checks that the bytes are there, and a length, text, address or id it reads against
 * its limit, throwing Malformed with what was wrong (bridge-codec.ts turns that into a refusal).
 */
import type { PeerAddress } from '../../protocol/bridge-frames'
import { bytesToIp } from '../ip-bytes'

// ignoreBOM: a text that starts with U+FEFF keeps it (by default the decoder drops it as a byte order mark)
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Thrown inside the decoder only; the decoder turns it into `{ ok: false }`. */
export class Malformed extends Error {}

export class FrameReader {
  private off = 2
  private view: DataView
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  private need(n: number, what: string): void {
    if (this.off + n > this.buf.length) throw new Malformed(`truncated ${what}`)
  }
  u8(what: string): number { this.need(1, what); return this.view.getUint8(this.off++) }
  u16(what: string): number { this.need(2, what); const v = this.view.getUint16(this.off); this.off += 2; return v }
  u32(what: string): number { this.need(4, what); const v = this.view.getUint32(this.off); this.off += 4; return v }
  f64(what: string): number { this.need(8, what); const v = this.view.getFloat64(this.off); this.off += 8; return v }
  bytes(n: number, what: string): Uint8Array { this.need(n, what); const b = this.buf.subarray(this.off, this.off + n); this.off += n; return b }
  rest(): Uint8Array { const b = this.buf.subarray(this.off); this.off = this.buf.length; return b }
  hex20(what: string): string {
    return Array.from(this.bytes(20, what), (b) => b.toString(16).padStart(2, '0')).join('')
  }
  text(max: number, what: string): string {
    const n = this.u16(`${what} length`)
    if (n > max) throw new Malformed(`${what} of ${n} bytes is over the limit of ${max}`)
    try {
      return decoder.decode(this.bytes(n, what))
    } catch {
      throw new Malformed(`${what} is not valid UTF-8`)
    }
  }
  stream(what = 'stream id'): number {
    const id = this.u32(what)
    if (id === 0) throw new Malformed(`${what} 0`)
    return id
  }
  peer(): PeerAddress {
    const family = this.u8('address family')
    if (family !== 4 && family !== 6) throw new Malformed(`address family ${family}`)
    const host = bytesToIp(this.bytes(family === 4 ? 4 : 16, 'address'))
    const port = this.u16('port')
    if (port === 0) throw new Malformed('port 0')
    return { host, port }
  }
  optionalIp(what: string): string {
    const family = this.u8(`${what} family`)
    if (family === 0) return ''
    if (family !== 4 && family !== 6) throw new Malformed(`${what} family ${family}`)
    return bytesToIp(this.bytes(family === 4 ? 4 : 16, what))
  }
  end(): void {
    if (this.off !== this.buf.length) throw new Malformed(`${this.buf.length - this.off} trailing bytes`)
  }
}

import { describe, expect, it } from 'vitest'
import { MessageBoundaries } from '../../src/core/peer-connection/message-boundaries'

const FRAME = 64 * 1024 // any frame size: the tests pass it to `cut`

/** A BitTorrent message: 4-byte big-endian length, then `body`. */
function message(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length)
  new DataView(out.buffer).setUint32(0, body.length)
  out.set(body, 4)
  return out
}
const piece = (n: number) => message(new Uint8Array(9 + n).fill(7)) // id, index, begin, block
const handshake = () => new Uint8Array(68).fill(19)

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

/** Feeds `stream` in chunks of `chunk` bytes and sends as `cut` says: returns the frame sizes. */
function relay(stream: Uint8Array, chunk: number, limit = FRAME): number[] {
  const m = new MessageBoundaries()
  const frames: number[] = []
  let sent = 0
  for (let at = 0; at < stream.length; at += chunk) {
    m.push(stream.subarray(at, at + chunk))
    const seen = Math.min(stream.length, at + chunk)
    for (let n; (n = m.cut(sent, Math.min(limit, seen - sent), FRAME)) > 0;) {
      frames.push(n)
      sent += n
    }
  }
  return frames
}

describe('message boundaries (the bridge cuts DATA frames after whole messages)', () => {
  it('cuts after the handshake and after each whole message, however the bytes arrive', () => {
    const msgs = [handshake(), message(new Uint8Array([1])), message(new Uint8Array(0)), piece(16384), piece(16384), piece(100)]
    const stream = concat(msgs)
    const ends = msgs.map((_, i) => msgs.slice(0, i + 1).reduce((n, p) => n + p.length, 0))
    for (const chunk of [1, 3, 5, 67, 68, 1000, 16397, 65536]) {
      const frames = relay(stream, chunk)
      expect(frames.reduce((a, b) => a + b, 0)).toBe(stream.length)
      // every cut falls on a message end
      let at = 0
      for (const f of frames) { at += f; expect(ends).toContain(at) }
    }
  })

  it('gathers as many whole messages as fit a frame, and no more', () => {
    const stream = concat([handshake(), ...Array.from({ length: 12 }, () => piece(16384))])
    const frames = relay(stream, stream.length)
    // 68 + 3 pieces of 16 397 bytes fit 64 KiB, a fourth does not
    expect(frames).toEqual([68 + 3 * 16397, 3 * 16397, 3 * 16397, 3 * 16397])
  })

  it('waits for the rest of a message instead of sending part of it', () => {
    const m = new MessageBoundaries()
    const stream = concat([handshake(), piece(16384)])
    m.push(stream.subarray(0, 1000))
    expect(m.cut(0, 1000, FRAME)).toBe(68)
    expect(m.cut(68, 932, FRAME)).toBe(0)
    m.push(stream.subarray(1000))
    expect(m.cut(68, stream.length - 68, FRAME)).toBe(16397)
  })

  it('waits when the next message fits a frame but not the credit left', () => {
    const m = new MessageBoundaries()
    m.push(concat([handshake(), piece(16384)]))
    expect(m.cut(68, 10_000, FRAME)).toBe(0)
  })

  it('sends a message longer than a frame in pieces as it comes (a bitfield of a huge torrent, or not BitTorrent at all)', () => {
    const big = message(new Uint8Array(200_000).fill(1))
    const frames = relay(concat([handshake(), big, piece(10)]), 50_000)
    expect(frames.reduce((a, b) => a + b, 0)).toBe(68 + big.length + 23)
    expect(Math.max(...frames)).toBeLessThanOrEqual(FRAME)
    // garbage: a "length" of 0x5a5a5a5a; every byte still goes on, as credit allows
    const junk = new Uint8Array(300_000).fill(0x5a)
    const out = relay(junk, 65536, 1000)
    expect(out.reduce((a, b) => a + b, 0)).toBe(junk.length)
    expect(Math.max(...out)).toBe(1000)
  })
})

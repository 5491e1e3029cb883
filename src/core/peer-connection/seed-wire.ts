/**
 * The remote end of a BitTorrent connection (BEP 3) as a web seed plays it for webtorrent: the
 * messages the page's own wire sends it, read with limits, and the few it answers with. A web seed
 * has every piece and wants none, so it only ever hears a handshake, interest and requests (and
 * cancels, haves, a bitfield, keep-alives), and answers with a handshake, a full bitfield,
 * (un)choke and pieces. It sets no reserved bit: no extension protocol (BEP 10), no fast
 * extension (BEP 6), no DHT port, so none of their messages ever come.
 *
 * Our own rather than bittorrent-protocol: that package is built for Node (its MSE module imports
 * `crypto`), is already inside webtorrent's prebuilt bundle without being exported, and a second
 * copy in the page would be tens of KB for these nine messages.
 */
import { HANDSHAKE_LENGTH, HANDSHAKE_PSTR } from '../../protocol/bridge-frames'

export type WireMessage =
  | { type: 'handshake'; infoHash: string; peerId: string }
  | { type: 'keep-alive' | 'choke' | 'unchoke' | 'interested' | 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield' }
  | { type: 'request' | 'cancel'; index: number; begin: number; length: number }

export type ReadResult = { ok: true; messages: WireMessage[] } | { ok: false; reason: string }

const ID = { choke: 0, unchoke: 1, interested: 2, notInterested: 3, have: 4, bitfield: 5, request: 6, piece: 7, cancel: 8 } as const

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
}

/**
 * Reads the local wire's bytes as they come, in any cuts. A message longer than the torrent's
 * bitfield (the longest one it may send) or of an id it may not send is an error: nothing is
 * buffered beyond that.
 */
export class SeedWireReader {
  private buffer = new Uint8Array(0)
  private handshaken = false
  private readonly maxMessage: number

  constructor(pieceCount: number) {
    // a bitfield: one id byte and a bit per piece; a request or a cancel: 13 bytes
    this.maxMessage = Math.max(13, 1 + Math.ceil(pieceCount / 8))
  }

  push(chunk: Uint8Array): ReadResult {
    const joined = new Uint8Array(this.buffer.length + chunk.length)
    joined.set(this.buffer)
    joined.set(chunk, this.buffer.length)
    const messages: WireMessage[] = []
    let at = 0
    for (;;) {
      if (!this.handshaken) {
        if (joined.length - at < HANDSHAKE_LENGTH) break
        const h = joined.subarray(at, at + HANDSHAKE_LENGTH)
        if (h[0] !== HANDSHAKE_PSTR.length || String.fromCharCode(...h.subarray(1, 20)) !== HANDSHAKE_PSTR) return { ok: false, reason: 'not a BitTorrent handshake' }
        messages.push({ type: 'handshake', infoHash: hex(h.subarray(28, 48)), peerId: hex(h.subarray(48, 68)) })
        this.handshaken = true
        at += HANDSHAKE_LENGTH
        continue
      }
      if (joined.length - at < 4) break
      const length = u32(joined, at)
      if (length > this.maxMessage) return { ok: false, reason: `a message of ${length} bytes` }
      if (joined.length - at < 4 + length) break
      const body = joined.subarray(at + 4, at + 4 + length)
      at += 4 + length
      const message = readMessage(body)
      if (!message.ok) return message
      messages.push(message.message)
    }
    this.buffer = joined.slice(at)
    return { ok: true, messages }
  }
}

function readMessage(body: Uint8Array): { ok: true; message: WireMessage } | { ok: false; reason: string } {
  if (body.length === 0) return { ok: true, message: { type: 'keep-alive' } }
  const id = body[0]!
  const want = (n: number, message: WireMessage) => body.length === n ? { ok: true as const, message } : { ok: false as const, reason: `message ${id} of ${body.length} bytes` }
  switch (id) {
    case ID.choke: return want(1, { type: 'choke' })
    case ID.unchoke: return want(1, { type: 'unchoke' })
    case ID.interested: return want(1, { type: 'interested' })
    case ID.notInterested: return want(1, { type: 'not-interested' })
    case ID.have: return want(5, { type: 'have', index: body.length === 5 ? u32(body, 1) : 0 })
    case ID.bitfield: return { ok: true, message: { type: 'bitfield' } }
    case ID.request:
    case ID.cancel:
      if (body.length !== 13) return { ok: false, reason: `message ${id} of ${body.length} bytes` }
      return { ok: true, message: { type: id === ID.request ? 'request' : 'cancel', index: u32(body, 1), begin: u32(body, 5), length: u32(body, 9) } }
    default:
      return { ok: false, reason: `message id ${id}, which a web seed is never sent` }
  }
}

function bytesOfHex(text: string): Uint8Array {
  if (!/^[0-9a-f]{40}$/.test(text)) throw new RangeError(`not 40 lower-case hex: ${text}`)
  return Uint8Array.from({ length: 20 }, (_, i) => parseInt(text.slice(i * 2, i * 2 + 2), 16))
}

/** Our handshake: no reserved bit set (see above). */
export function handshakeMessage(infoHash: string, peerId: string): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_LENGTH)
  out[0] = HANDSHAKE_PSTR.length
  for (let i = 0; i < HANDSHAKE_PSTR.length; i++) out[1 + i] = HANDSHAKE_PSTR.charCodeAt(i)
  out.set(bytesOfHex(infoHash), 28)
  out.set(bytesOfHex(peerId), 48)
  return out
}

/** A bitfield with every piece set and the spare bits of its last byte clear (BEP 3). */
export function fullBitfieldMessage(pieceCount: number): Uint8Array {
  const bytes = Math.ceil(pieceCount / 8)
  const out = new Uint8Array(5 + bytes)
  new DataView(out.buffer).setUint32(0, 1 + bytes)
  out[4] = ID.bitfield
  out.fill(0xff, 5)
  if (pieceCount % 8) out[out.length - 1] = (0xff << (8 - (pieceCount % 8))) & 0xff
  return out
}

export function chokeMessage(choke: boolean): Uint8Array {
  return Uint8Array.of(0, 0, 0, 1, choke ? ID.choke : ID.unchoke)
}

export const KEEP_ALIVE_MESSAGE = Uint8Array.of(0, 0, 0, 0)

/** The 13 bytes in front of a block of `length` bytes at `begin` in piece `index`. */
export function pieceHeader(index: number, begin: number, length: number): Uint8Array {
  const out = new Uint8Array(13)
  const view = new DataView(out.buffer)
  view.setUint32(0, 9 + length)
  out[4] = ID.piece
  view.setUint32(5, index)
  view.setUint32(9, begin)
  return out
}

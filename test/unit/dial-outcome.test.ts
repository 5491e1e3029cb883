import { describe, expect, it } from 'vitest'
import { dialOutcome, HandshakeWatch, type DialEnd } from '../../src/core/peer-connection/dial-outcome'
import { CloseCode, HANDSHAKE_PSTR } from '../../src/protocol/bridge-frames'

const H = 'ab'.repeat(20)

function handshake(infoHashHex: string): Uint8Array {
  const b = new Uint8Array(68)
  b[0] = HANDSHAKE_PSTR.length
  b.set(new TextEncoder().encode(HANDSHAKE_PSTR), 1)
  b.set(Uint8Array.from(infoHashHex.match(/../g)!.map((x) => parseInt(x, 16))), 28)
  b.fill(7, 48) // peer id
  return b
}

const end = (over: Partial<DialEnd>): DialEnd => ({ bridgeLost: false, duplicate: false, handshakeReceived: false, closeCode: undefined, ...over })

describe('what the end of a dial says about the peer', () => {
  it('worked only when the peer\'s handshake came', () => {
    expect(dialOutcome(end({ handshakeReceived: true, closeCode: CloseCode.PeerClosed }))).toBe('worked')
  })

  it('is a failure when the connection opened and then closed or timed out before the handshake (a tarpit, or garbage)', () => {
    for (const closeCode of [CloseCode.PeerClosed, CloseCode.Idle, undefined, CloseCode.ConnectFailed, CloseCode.BadHandshake]) {
      expect(dialOutcome(end({ closeCode })), String(closeCode)).toBe('failed')
    }
  })

  it('keeps the bridge\'s own caps, a lost bridge and a duplicate apart from the peer\'s failures', () => {
    for (const closeCode of [CloseCode.RateLimited, CloseCode.TooManyStreams, CloseCode.Overloaded]) expect(dialOutcome(end({ closeCode }))).toBe('bridge-busy')
    expect(dialOutcome(end({ bridgeLost: true, closeCode: null }))).toBe('bridge-lost')
    expect(dialOutcome(end({ duplicate: true, handshakeReceived: true }))).toBe('duplicate')
  })
})

describe('watching for the peer\'s handshake', () => {
  it('sees the handshake for our info-hash, however it is split', () => {
    const b = handshake(H)
    const w = new HandshakeWatch(H)
    expect(w.feed(b.subarray(0, 1))).toBe('waiting')
    expect(w.feed(b.subarray(1, 67))).toBe('waiting')
    expect(w.feed(Uint8Array.of(...b.subarray(67), 0, 0, 0, 0))).toBe('received')
  })

  it('refuses another torrent\'s handshake, garbage, and silence', () => {
    expect(new HandshakeWatch(H).feed(handshake('cd'.repeat(20)))).toBe('wrong')
    const garbage = new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\n'.repeat(3))
    expect(new HandshakeWatch(H).feed(garbage)).toBe('wrong')
    const w = new HandshakeWatch(H)
    expect(w.feed(new Uint8Array(0))).toBe('waiting')
    expect(w.state).toBe('waiting')
  })

  it('stays decided once decided', () => {
    const w = new HandshakeWatch(H)
    w.feed(new Uint8Array(68))
    expect(w.feed(handshake(H))).toBe('wrong')
  })
})

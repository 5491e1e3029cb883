// The BitTorrent handshake check the bridge gates every relayed stream and inbound peer with.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { handshakeInfoHash, isHandshakeFor } from '../../src/core/peer-connection/peer-handshake'
import { HANDSHAKE_PSTR } from '../../src/protocol/bridge-frames'
import { runs } from '../support/property'

const H = '0123456789abcdef0123456789abcdef01234567'
const P = 'ffeeddccbbaa99887766554433221100ffeeddcc'
const enc = new TextEncoder()

describe('handshake check', () => {
  const hs = (hash: string) => {
    const b = new Uint8Array(68)
    b[0] = 19
    b.set(new TextEncoder().encode('BitTorrent protocol'), 1)
    b.set(Buffer.from(hash, 'hex'), 28)
    return b
  }
  it('accepts a handshake for the info-hash only', () => {
    expect(isHandshakeFor(hs(H), H)).toBe(true)
    expect(isHandshakeFor(hs(P), H)).toBe(false)
    expect(handshakeInfoHash(hs(P))).toBe(P)
    expect(handshakeInfoHash(hs(H).subarray(0, 67))).toBeNull()
    const garbage = hs(H)
    garbage[5] = 0
    expect(handshakeInfoHash(garbage)).toBeNull()
  })

  it('a BitTorrent handshake\'s info-hash is read from bytes 28-47, and nothing else is a handshake', () => {
    const head = Uint8Array.from([19, ...enc.encode(HANDSHAKE_PSTR)])
    const input = fc.oneof(
      fc.uint8Array({ minLength: 40, maxLength: 120 }).map((rest) => Uint8Array.from([...head, ...rest])),
      fc.uint8Array({ maxLength: 120 }),
      fc.tuple(fc.uint8Array({ minLength: 48, maxLength: 80 }), fc.nat({ max: 19 }), fc.integer({ min: 0, max: 255 }))
        .map(([rest, at, b]) => { const x = Uint8Array.from([...head, ...rest]); if (x[at] !== b) x[at] = b; else x[at] = b ^ 1; return x }),
    )
    fc.assert(fc.property(input, (b) => {
      const real = b.length >= 68 && head.every((x, i) => b[i] === x)
      expect(handshakeInfoHash(b)).toBe(real ? Buffer.from(b.subarray(28, 48)).toString('hex') : null)
    }), runs(300))
  })
})

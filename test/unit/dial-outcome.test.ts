import { describe, expect, it } from 'vitest'
import { dialOutcome, type DialEnd } from '../../src/core/peer-connection/dial-outcome'
import { CloseCode } from '../../src/protocol/bridge-frames'

const end = (over: Partial<DialEnd>): DialEnd => ({ bridgeLost: false, duplicate: false, greeted: false, closeCode: undefined, ...over })

describe('what the end of a dial says about the peer', () => {
  it('worked only when the peer\'s handshake and a message after it came', () => {
    expect(dialOutcome(end({ greeted: true, closeCode: CloseCode.PeerClosed }))).toBe('worked')
  })

  it('is a failure when the connection opened and then closed or timed out before the handshake (a tarpit, or garbage)', () => {
    for (const closeCode of [CloseCode.PeerClosed, CloseCode.Idle, undefined, CloseCode.ConnectFailed, CloseCode.BadHandshake]) {
      expect(dialOutcome(end({ closeCode })), String(closeCode)).toBe('failed')
    }
  })

  it('keeps the bridge\'s own caps, a lost bridge and a duplicate apart from the peer\'s failures', () => {
    for (const closeCode of [CloseCode.RateLimited, CloseCode.TooManyStreams, CloseCode.Overloaded]) expect(dialOutcome(end({ closeCode }))).toBe('bridge-busy')
    expect(dialOutcome(end({ bridgeLost: true, closeCode: null }))).toBe('bridge-lost')
    expect(dialOutcome(end({ duplicate: true, greeted: true }))).toBe('duplicate')
  })
})

import { describe, expect, it } from 'vitest'
import { busyRetryDelayMs, isBridgeBusy } from '../../src/core/peer-connection/dial-refusal'
import { CloseCode } from '../../src/protocol/bridge-frames'

describe('a dial the bridge refused', () => {
  it('is the bridge being busy only for its own caps, never for what the peer did', () => {
    expect([CloseCode.RateLimited, CloseCode.TooManyStreams, CloseCode.Overloaded].every(isBridgeBusy)).toBe(true)
    for (const code of [CloseCode.ConnectFailed, CloseCode.BadHandshake, CloseCode.Refused, CloseCode.PeerClosed, CloseCode.Idle, CloseCode.NotRegistered, CloseCode.ProtocolError, CloseCode.ShuttingDown, CloseCode.Normal, null]) {
      expect(isBridgeBusy(code), String(code)).toBe(false)
    }
  })

  it('goes again after one to two seconds', () => {
    expect(busyRetryDelayMs(0)).toBe(1000)
    expect(busyRetryDelayMs(0.999)).toBe(1999)
  })
})

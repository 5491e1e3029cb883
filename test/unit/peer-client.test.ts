import { describe, expect, it } from 'vitest'
import { peerClient } from '../../src/core/peer-connection/peer-client'

const hex = (id: string) => [...id].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')

describe('peerClient', () => {
  it('prefers the name the peer gives in its extended handshake', () => {
    expect(peerClient(hex('-qB4650-abcdefghijkl'), new TextEncoder().encode('qBittorrent/4.6.5'))).toBe('qBittorrent/4.6.5')
    expect(peerClient(undefined, 'Transmission 4.0.6')).toBe('Transmission 4.0.6')
  })

  it('reads Azureus-style peer IDs', () => {
    expect(peerClient(hex('-qB4650-abcdefghijkl'))).toBe('qBittorrent 4.6.5')
    expect(peerClient(hex('-TR4060-abcdefghijkl'))).toBe('Transmission 4.0.6')
    expect(peerClient(hex('-TR2940-abcdefghijkl'))).toBe('Transmission 2.9.4')
    expect(peerClient(hex('-WW0300-abcdefghijkl'))).toBe('WebTorrent 3.0')
    expect(peerClient(hex('-LT2090-abcdefghijkl'))).toBe('libtorrent 2.0.9')
    expect(peerClient(hex('-ZZ1200-abcdefghijkl'))).toBe('ZZ 1.2')
  })

  it("reads aria2's peer IDs", () => {
    expect(peerClient(hex('A2-1-37-0-abcdefghij'))).toBe('aria2 1.37.0')
  })

  it('gives nothing for what it cannot read, and strips what a peer should not send', () => {
    expect(peerClient(hex('M7-2-2--abcdefghijkl'))).toBe('')
    expect(peerClient('not hex')).toBe('')
    expect(peerClient(undefined)).toBe('')
    expect(peerClient(undefined, '\u202eevil\u0000 client' + 'x'.repeat(60))).toBe(('evil client' + 'x'.repeat(60)).slice(0, 40))
    expect(peerClient(hex('-qB4650-abcdefghijkl'), '  ')).toBe('qBittorrent 4.6.5')
  })
})

// A magnet's own peers (x.pe, BEP 9) as addresses the bridge can dial.
import { describe, expect, it } from 'vitest'
import { magnetPeerAddress, magnetPeers } from '../../src/core/peer-discovery/magnet-peers'

const HASH = 'c'.repeat(40)

describe('magnetPeerAddress', () => {
  it('takes IPv4 and bracketed IPv6 literals with a port, in canonical form', () => {
    expect(magnetPeerAddress('127.0.0.1:6881')).toEqual({ host: '127.0.0.1', port: 6881 })
    expect(magnetPeerAddress('[2001:DB8:0:0::1]:51413')).toEqual({ host: '2001:db8::1', port: 51413 })
    expect(magnetPeerAddress('[::ffff:10.0.0.1]:1')).toEqual({ host: '10.0.0.1', port: 1 })
  })

  it('leaves out host names (the bridge dials IP addresses only), bare IPv6, bad ports and junk', () => {
    for (const text of ['peer.example.org:6881', 'localhost:6881', '2001:db8::1:6881', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1',
      '010.0.0.1:6881', '1.2.3.4.5:6881', '[fe80::1%eth0]:6881', ':6881', '[]:6881']) {
      expect(magnetPeerAddress(text), text).toBeNull()
    }
  })
})

describe('magnetPeers', () => {
  it('reads the x.pe peers of a magnet URI, dropping those that cannot be dialed', () => {
    const uri = `magnet:?xt=urn:btih:${HASH}&x.pe=127.0.0.1:6881&x.pe=peer.example.org:6881&x.pe=${encodeURIComponent('[::1]:7000')}`
    expect(magnetPeers(uri)).toEqual([{ host: '127.0.0.1', port: 6881 }, { host: '::1', port: 7000 }])
  })

  it('gives none for no URI, a magnet without x.pe, or one that does not parse', () => {
    expect(magnetPeers(undefined)).toEqual([])
    expect(magnetPeers(`magnet:?xt=urn:btih:${HASH}&tr=udp%3A%2F%2Ftracker.example%3A80`)).toEqual([])
    expect(magnetPeers('magnet:?xt=urn:btih:nope&x.pe=127.0.0.1:6881')).toEqual([])
  })
})

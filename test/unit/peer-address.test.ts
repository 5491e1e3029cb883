// The one canonicalising door for peer addresses from strangers (core/peer-address.ts).
import { describe, expect, it } from 'vitest'
import { canonicalHost, canonicalPeer, canonicalPort, COMPACT_V4, COMPACT_V6, decodeCompactPeers, parsePeerText } from '../../src/core/peer-address'

describe('canonicalPeer', () => {
  it.each([
    ['1.2.3.4', 6881, { host: '1.2.3.4', port: 6881 }],
    ['2001:DB8:0:0::1', '51413', { host: '2001:db8::1', port: 51413 }],
    ['[2001:db8::1]', 1, { host: '2001:db8::1', port: 1 }],
    ['::ffff:10.0.0.1', 65535, { host: '10.0.0.1', port: 65535 }],
    ['::ffff:a00:1', 80, { host: '10.0.0.1', port: 80 }],
    [new TextEncoder().encode('8.8.8.8'), 53, { host: '8.8.8.8', port: 53 }],
  ])('takes %o port %o', (host, port, want) => {
    expect(canonicalPeer(host, port)).toEqual(want)
  })

  // every shape a hostile tracker's dictionary peer list has been seen to give, or could
  it.each([
    [16909060, 'an integer (ipaddr.isValid took it as 1.2.3.4)'],
    ['16909060', 'an integer in a string'],
    ['0x7f.1', 'inet_aton shorthand'],
    ['010.0.0.1', 'a leading zero (octal to some parsers)'],
    ['1.2.3', 'three parts'],
    ['1.2.3.256', 'a part over 255'],
    ['fe80::1%eth0', 'a scoped IPv6 address'],
    ['[fe80::1%25eth0]', 'a scoped IPv6 address in brackets'],
    ['tracker.example.org', 'a host name'],
    ['1.2.3.4:80', 'an address with a port'],
    ['1.2.3.4/8', 'a range'],
    [' 1.2.3.4', 'spaces'],
    ['', 'nothing'],
    ['.'.repeat(100_000), '100,000 dots'],
    [['1.2.3.4'], 'a list'],
    [{ ip: '1.2.3.4' }, 'a dictionary'],
    [null, 'null'],
    [undefined, 'undefined'],
    [new Map(), 'a bencode dictionary'],
  ] as [unknown, string][])('drops the host %o (%s)', (host) => {
    expect(canonicalHost(host)).toBeNull()
    expect(canonicalPeer(host, 6881)).toBeNull()
  })

  it.each([0, -1, 65536, 1.5, NaN, Infinity, '6881 ', '0x1ae1', '', '1e3', 2 ** 53, [6881], null])('drops the port %o', (port) => {
    expect(canonicalPort(port)).toBeNull()
    expect(canonicalPeer('1.2.3.4', port)).toBeNull()
  })
})

describe('parsePeerText', () => {
  it('takes IPv4 and bracketed IPv6 with a port', () => {
    expect(parsePeerText('1.2.3.4:6881')).toEqual({ host: '1.2.3.4', port: 6881 })
    expect(parsePeerText('[2001:db8::1]:6881')).toEqual({ host: '2001:db8::1', port: 6881 })
    expect(parsePeerText('[::ffff:1.2.3.4]:6881')).toEqual({ host: '1.2.3.4', port: 6881 })
  })
  it.each(['2001:db8::1:6881', 'host:6881', '1.2.3.4', '1.2.3.4:', ':6881', '1.2.3.4:0', '1.2.3.4:99999', '[::1]', 'x'.repeat(10_000) + ':1', 42])(
    'drops %o', (text) => expect(parsePeerText(text)).toBeNull())
})

describe('decodeCompactPeers', () => {
  const v4 = (...entries: [number[], number][]) => Uint8Array.from(entries.flatMap(([ip, port]) => [...ip, port >> 8, port & 0xff]))
  it('decodes whole entries and counts what it drops', () => {
    const bytes = v4([[1, 2, 3, 4], 6881], [[0, 0, 0, 0], 1], [[5, 6, 7, 8], 0], [[224, 0, 0, 1], 80], [[255, 255, 255, 255], 1], [[9, 9, 9, 9], 65535])
    const out = decodeCompactPeers(Uint8Array.from([...bytes, 1, 2, 3]), COMPACT_V4, 100)
    expect(out.peers).toEqual([{ peer: { host: '1.2.3.4', port: 6881 }, index: 0 }, { peer: { host: '9.9.9.9', port: 65535 }, index: 5 }])
    expect(out.dropped).toBe(5) // four undialable, one partial entry
  })
  it('stops at max and counts the rest as dropped, without reading them', () => {
    const many = new Uint8Array(6 * 100_000).fill(7)
    const out = decodeCompactPeers(many, COMPACT_V4, 1000)
    expect(out.peers.length).toBe(1000)
    expect(out.dropped).toBe(99_000)
  })
  it('decodes IPv6, mapped ones as IPv4', () => {
    const six = new Uint8Array(36)
    six.set([0x20, 0x01, 0x0d, 0xb8], 0)
    six[15] = 1
    six.set([0x1a, 0xe1], 16)
    six.set([0xff, 0xff, 10, 0, 0, 1, 0, 80], 28)
    expect(decodeCompactPeers(six, COMPACT_V6, 10).peers.map((p) => p.peer)).toEqual([{ host: '2001:db8::1', port: 6881 }, { host: '10.0.0.1', port: 80 }])
  })
})

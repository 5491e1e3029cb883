// Property-based tests (fast-check) of the one door every peer address from a stranger comes
// through (core/peer-address.ts): trackers' peers in both forms, UDP trackers, PEX, the DHT, x.pe.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToIp, ipToBytes } from '../../src/core/ip-bytes'
import {
  canonicalHost, canonicalPeer, canonicalPort, COMPACT_V4, COMPACT_V6, decodeCompactPeers, parsePeerText, peerKey,
} from '../../src/core/peer-address'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { dialableModel, ipv4, ipv6, ipv6Spelling, mapped, undialable, unmapped } from '../support/ip-literals'
import { runs } from '../support/property'

/** The canonical text of an address given as bytes: IPv4-mapped as its IPv4, RFC 5952 otherwise. */
const canonicalOf = (bytes: Uint8Array): string => bytesToIp(unmapped(bytes))

/** Text that looks like an IP literal often, and sometimes is one. */
const ipish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.[]%x -'), maxLength: 50 })
/** Anything a tracker's `ip` (or a caller) may hand over. */
const anyValue = fc.oneof(
  ipish, fc.string({ unit: 'binary', maxLength: 60 }), fc.anything(), fc.uint8Array({ maxLength: 60 }),
  fc.oneof(ipish, fc.string({ unit: 'binary', maxLength: 60 })).map((s) => new TextEncoder().encode(s)),
  fc.oneof(ipv4, ipv6).map(bytesToIp), fc.double(), fc.integer(),
)
/** A canonical peer, as the door gives them. */
const canonicalPeerArb: fc.Arbitrary<PeerAddress> = fc.record({
  host: fc.oneof(ipv4, ipv6).map(canonicalOf),
  port: fc.integer({ min: 1, max: 65535 }),
})

describe('canonicalHost and canonicalPeer', () => {
  it('never throw; what they give is canonical: an IP literal printed one way, canonicalHost of it is itself', () => {
    fc.assert(fc.property(anyValue, anyValue, (host, port) => {
      const h = canonicalHost(host)
      if (h !== null) {
        expect(canonicalHost(h)).toBe(h)
        const bytes = ipToBytes(h)
        expect(bytes).not.toBeNull()
        expect(bytesToIp(bytes!)).toBe(h)
        expect(h).not.toMatch(/^::ffff:\d/) // an IPv4-mapped address comes out as its IPv4
      }
      const p = canonicalPort(port)
      if (p !== null) expect(Number.isInteger(p) && p >= 1 && p <= 65535).toBe(true)
      expect(canonicalPeer(host, port)).toEqual(h !== null && p !== null ? { host: h, port: p } : null)
    }), runs(1000))
  })

  it('every spelling of an IPv6 address (case, zero padding, any "::", a dotted tail, brackets, as text or bytes) gives one canonical text', () => {
    const spelled = ipv6.chain((bytes) => fc.tuple(fc.constant(bytes), ipv6Spelling(bytes), fc.boolean(), fc.boolean()))
    fc.assert(fc.property(spelled, ([bytes, text, bracketed, asBytes]) => {
      const written = bracketed ? `[${text}]` : text
      expect(canonicalHost(asBytes ? new TextEncoder().encode(written) : written), written).toBe(canonicalOf(bytes))
    }), runs(1000))
  })

  it('an IPv4-mapped IPv6 address, however written, gives the IPv4 text', () => {
    fc.assert(fc.property(ipv4.chain((v4) => fc.tuple(fc.constant(v4), ipv6Spelling(mapped(v4)))), ([v4, text]) => {
      expect(canonicalHost(text), text).toBe(bytesToIp(v4))
      expect(canonicalHost(`[${text}]`)).toBe(bytesToIp(v4))
    }), runs(300))
  })

  it('bytes read as the text they hold, no more and no less', () => {
    const text = fc.oneof(ipish, fc.oneof(ipv4, ipv6).chain((b) => (b.length === 4 ? fc.constant(bytesToIp(b)) : ipv6Spelling(b))))
    const withPrefix = fc.tuple(fc.constantFrom('', '\ufeff', ' ', '\u0000'), text).map(([pre, t]) => pre + t)
    fc.assert(fc.property(withPrefix, (t) => {
      expect(canonicalHost(new TextEncoder().encode(t))).toBe(canonicalHost(t))
    }), runs(500))
  })

  it('a port is a number or a decimal string of 1 to 5 digits, 1-65535', () => {
    const port = fc.oneof(fc.integer({ min: -10, max: 70_000 }), fc.double(), fc.integer({ min: 0, max: 99_999 }).map(String),
      fc.integer({ min: 0, max: 99_999 }).map((n) => `0${n}`), fc.string({ unit: fc.constantFrom(...'0123456789 +-.e'), maxLength: 7 }))
    fc.assert(fc.property(port, (p) => {
      const n = typeof p === 'number' ? p : /^\d{1,5}$/.test(p) ? Number(p) : NaN
      expect(canonicalPort(p)).toBe(Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null)
    }), runs(500))
  })
})

describe('parsePeerText and peerKey', () => {
  it('parsePeerText(peerKey(p)) is p for a canonical peer, and two peers share a key only when they are the same', () => {
    fc.assert(fc.property(canonicalPeerArb, canonicalPeerArb, (p, q) => {
      expect(parsePeerText(peerKey(p))).toEqual(p)
      expect(peerKey(p) === peerKey(q)).toBe(p.host === q.host && p.port === q.port)
    }), runs(500))
  })

  it('any text gives null or a canonical peer that its own key reads back as', () => {
    const text = fc.oneof(
      fc.tuple(ipish, fc.constantFrom(':', ']:', ''), fc.oneof(fc.integer({ min: 0, max: 70_000 }).map(String), fc.string({ maxLength: 6 })))
        .map(([h, sep, port]) => h + sep + port),
      fc.tuple(ipv6, fc.integer({ min: 0, max: 70_000 })).chain(([b, port]) => ipv6Spelling(b).map((t) => `[${t}]:${port}`)),
      fc.string({ unit: 'binary', maxLength: 60 }),
    )
    fc.assert(fc.property(fc.oneof(text, fc.anything()), (t) => {
      const peer = parsePeerText(t)
      if (peer === null) return
      expect(canonicalHost(peer.host)).toBe(peer.host)
      expect(parsePeerText(peerKey(peer))).toEqual(peer)
    }), runs(500))
  })
})

describe('decodeCompactPeers', () => {
  const entry = (size: number) => fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ minLength: size, maxLength: size }) },
    { weight: 1, arbitrary: fc.tuple(size === COMPACT_V4 ? ipv4 : fc.oneof(ipv6, ipv4.map(mapped)), fc.integer({ min: 0, max: 65535 }))
      .map(([ip, port]) => Uint8Array.from([...ip, port >> 8, port & 0xff])) },
    { weight: 1, arbitrary: fc.tuple(undialable.filter((ip) => ip.length === size - 2), fc.integer({ min: 0, max: 65535 }))
      .map(([ip, port]) => Uint8Array.from([...ip, port >> 8, port & 0xff])) },
  )
  const list = fc.constantFrom(COMPACT_V4, COMPACT_V6).chain((size) => fc.tuple(
    fc.constant(size as typeof COMPACT_V4 | typeof COMPACT_V6),
    fc.array(entry(size), { maxLength: 40 }),
    fc.uint8Array({ maxLength: size - 1 }),
    fc.integer({ min: 0, max: 45 }),
  ))

  it('gives the first `max` dialable entries in order, canonical, and counts every other entry (a partial tail as one) as dropped', () => {
    fc.assert(fc.property(list, ([size, entries, partial, max]) => {
      const bytes = Uint8Array.from([...entries.flatMap((e) => [...e]), ...partial])
      const got = decodeCompactPeers(bytes, size, max)
      // an independent reading: address bytes, big-endian port, unusable ones left out
      const usable = entries.map((e, index) => ({ e, index, port: e[size - 2]! * 256 + e[size - 1]! }))
        .filter(({ e, port }) => port !== 0 && dialableModel(e.subarray(0, size - 2)))
        .map(({ e, index, port }) => ({ peer: { host: canonicalOf(e.subarray(0, size - 2)), port }, index }))
      expect(got.peers).toEqual(usable.slice(0, max))
      expect(got.peers.length + got.dropped).toBe(entries.length + (partial.length ? 1 : 0))
      for (const { peer } of got.peers) expect(canonicalHost(peer.host)).toBe(peer.host)
    }), runs(500))
  })
})

describe('regressions found by fast-check', () => {
  it('regression: an IPv4-mapped IPv6 compact peer of 0.0.0.0, multicast or broadcast is dropped like its IPv4 form (found by fast-check)', () => {
    // ::ffff:0.0.0.0 was taken as dialable (its bytes are not all zero) and came out as the peer 0.0.0.0:1
    for (const v4 of [[0, 0, 0, 0], [224, 0, 0, 251], [255, 255, 255, 255]]) {
      const entry = Uint8Array.from([...mapped(Uint8Array.from(v4)), 0, 1])
      expect(decodeCompactPeers(entry, COMPACT_V6, 10)).toEqual({ peers: [], dropped: 1 })
    }
    expect(decodeCompactPeers(Uint8Array.from([...mapped(Uint8Array.from([1, 2, 3, 4])), 0, 1]), COMPACT_V6, 10).peers)
      .toEqual([{ peer: { host: '1.2.3.4', port: 1 }, index: 0 }])
  })
  it('regression: a host given as bytes that start with a byte order mark is refused, as the same text is (found by fast-check)', () => {
    // the decoder dropped a leading U+FEFF, so the bytes of '\ufeff::ffff:0:0' read as 0.0.0.0 while the text gave null
    expect(canonicalHost(new TextEncoder().encode('\ufeff1.2.3.4'))).toBeNull()
    expect(canonicalHost('\ufeff1.2.3.4')).toBeNull()
    expect(canonicalPeer(new TextEncoder().encode('\ufeff::ffff:0:0'), 1)).toBeNull()
  })
})

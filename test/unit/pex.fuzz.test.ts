// Property-based tests (fast-check) of peer exchange (BEP 11): the messages any connected peer may
// send, decoded by core/peer-discovery/pex.ts and received by the page's ut_pex extension (engine/peer-discovery/ut-pex.ts).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bencode, type BValue } from '../../src/core/torrent-parser/bencode'
import { bytesToIp, ipToBytes } from '../../src/core/ip-bytes'
import { decodePex, encodePex, PEX_MAX_MESSAGE_BYTES, PEX_MAX_PEERS, type PexMessage, type PexPeer } from '../../src/core/peer-discovery/pex'
import { PEX_MIN_RECEIVE_INTERVAL_MS, UtPex, type PexHost, type PexWire } from '../../src/engine/peer-discovery/ut-pex'
import type { PeerAddress } from '../../src/protocol/bridge-frames'
import { parsesOrRefuses, runs, syntaxBytes } from '../support/property'

const CODES = ['BAD_PEER_MESSAGE', 'BAD_BENCODE'] as const

/** Compact entries: often dialable, sometimes port 0, unspecified, multicast or broadcast. */
const v4Entry = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 6, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom([0, 0, 0, 0], [224, 0, 0, 1], [239, 1, 2, 3], [255, 255, 255, 255], [10, 0, 0, 1]), fc.constantFrom([0, 0], [0x1a, 0xe1]))
    .map(([ip, p]) => Uint8Array.from([...ip, ...p])) },
)
const v6Entry = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ minLength: 18, maxLength: 18 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(new Array(16).fill(0), [0xff, 2, ...new Array(13).fill(0), 1], [...new Array(10).fill(0), 0xff, 0xff, 1, 2, 3, 4]),
    fc.constantFrom([0, 0], [0x1a, 0xe1])).map(([ip, p]) => Uint8Array.from([...ip, ...p])) },
)
/** A compact list: whole entries, repeats of earlier ones, and a partial entry at the end. */
const compact = (entry: fc.Arbitrary<Uint8Array>) => fc.tuple(fc.array(entry, { maxLength: 70 }), fc.array(fc.nat(), { maxLength: 5 }), fc.uint8Array({ maxLength: 5 }))
  .map(([entries, repeats, partial]) => {
    const all = [...entries]
    for (const r of repeats) if (entries.length) all.splice(r % (all.length + 1), 0, entries[r % entries.length]!)
    const size = entry === v4Entry ? 6 : 18
    return Uint8Array.from([...all.flatMap((e) => [...e]), ...partial.subarray(0, Math.min(partial.length, size - 1))])
  })
const flags = fc.uint8Array({ maxLength: 80 })
/** A field as a peer may send it: the right type or any other (or missing). */
const field = (right: fc.Arbitrary<Uint8Array>): fc.Arbitrary<BValue | undefined> => fc.oneof(
  { weight: 6, arbitrary: right },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant([] as BValue[]), fc.constant(new Map<string, BValue>())) },
)
const message = fc.record({
  added: field(compact(v4Entry)),
  'added.f': field(flags),
  added6: field(compact(v6Entry)),
  'added6.f': field(flags),
  dropped: field(compact(v4Entry)),
  dropped6: field(compact(v6Entry)),
})

/** BEP 11 read as the spec says, independently: each list in order, entries no one can dial left out, each address once, at most 50; an IPv4-mapped IPv6 entry is its IPv4 peer (core/peer-address.ts). */
function model(m: { [key: string]: BValue | undefined }): PexMessage {
  const unmapped = (ip: Uint8Array): Uint8Array => ip.length === 16 && ip.subarray(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : ip
  const dialable = (ip: Uint8Array, port: number): boolean => {
    if (port === 0) return false
    if (ip.length === 4) return ip[0] !== 0 && !(ip[0]! >= 224 && ip[0]! <= 239) && !ip.every((b) => b === 255)
    return ip[0] !== 0xff && !ip.every((b) => b === 0)
  }
  const read = (list: BValue | undefined, size: number): { peer: PeerAddress; index: number }[] => {
    if (!(list instanceof Uint8Array)) return []
    const out: { peer: PeerAddress; index: number }[] = []
    for (let i = 0; (i + 1) * size <= list.length; i++) {
      const ip = unmapped(list.subarray(i * size, i * size + size - 2))
      const port = list[i * size + size - 2]! * 256 + list[i * size + size - 1]!
      if (dialable(ip, port)) out.push({ peer: { host: bytesToIp(ip), port }, index: i })
    }
    return out
  }
  const unique = <T extends PeerAddress>(peers: T[]): T[] => {
    const seen = new Set<string>()
    return peers.filter((p) => !seen.has(`${p.host}|${p.port}`) && seen.add(`${p.host}|${p.port}`)).slice(0, PEX_MAX_PEERS)
  }
  const withFlags = (key: string, size: number): PexPeer[] => {
    const f = m[`${key}.f`]
    return read(m[key], size).map(({ peer, index }) => ({ ...peer, flags: f instanceof Uint8Array ? f[index] ?? 0 : 0 }))
  }
  return {
    added: unique([...withFlags('added', 6), ...withFlags('added6', 18)]),
    dropped: unique([...read(m['dropped'], 6), ...read(m['dropped6'], 18)].map(({ peer }) => peer)),
  }
}

describe('PEX properties', () => {
  it('any dictionary of compact lists and flags (any lengths, any types) decodes as BEP 11 reads it', () => {
    fc.assert(fc.property(message, (m) => {
      const bytes = bencode(m)
      fc.pre(bytes.length <= PEX_MAX_MESSAGE_BYTES)
      expect(decodePex(bytes)).toEqual(model(m))
    }), runs(300))
  })

  it('arbitrary and mutated bytes decode or give BAD_PEER_MESSAGE / BAD_BENCODE', () => {
    const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))
    const mutated = fc.tuple(message, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([m, edits]) => {
      const bytes = bencode(m)
      for (const [at, b] of edits) if (bytes.length) bytes[at % bytes.length] = b
      return bytes
    })
    fc.assert(fc.property(fc.oneof(mutated, syntaxBytes('0123456789:idle-', { maxLength: 100 }), fc.uint8Array({ maxLength: 100 })), (bytes) => {
      const got = parsesOrRefuses(() => decodePex(bytes), CODES)
      if (!got) return
      expect(got.added.length).toBeLessThanOrEqual(PEX_MAX_PEERS)
      expect(got.dropped.length).toBeLessThanOrEqual(PEX_MAX_PEERS)
      for (const p of [...got.added, ...got.dropped]) {
        expect(bytesToIp(ipToBytes(p.host)!)).toBe(p.host)
        expect(p.port).toBeGreaterThanOrEqual(1)
        expect(p.port).toBeLessThanOrEqual(65535)
      }
      for (const p of got.added) expect(Number.isInteger(p.flags) && p.flags >= 0 && p.flags <= 255).toBe(true)
    }), runs(500))
  })

  it('decodePex(encodePex(m)) is m\'s IP-literal peers, the first 50 of each list, dialable ones, each once', () => {
    const address = fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 4 }).map(bytesToIp),
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map(bytesToIp),
      fc.constantFrom('peer.example', '', '1.2.3', '::ffff:10.0.0.1', '10.0.0.1', '2001:DB8::1'),
    )
    const peer = fc.record({ host: address, port: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, -1, 65536, 1.5)) })
    const added = fc.array(fc.record({ host: address, port: peer.map((p) => p.port), flags: fc.option(fc.integer({ min: -300, max: 300 }), { nil: undefined }) }), { maxLength: 70 })
    fc.assert(fc.property(added, fc.array(peer, { maxLength: 70 }), (add, drop) => {
      const bytes = encodePex({ added: add, dropped: drop })
      // what the sender puts on the wire: IP literals with a valid port, the first 50, v4 and v6 in their own lists
      const sendable = <T extends PeerAddress>(list: T[]): T[] =>
        list.filter((p) => ipToBytes(p.host) && Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535).slice(0, PEX_MAX_PEERS)
      const wire = (list: PeerAddress[], key: string, withFlags: boolean) => {
        const v4 = list.filter((p) => ipToBytes(p.host)!.length === 4)
        const v6 = list.filter((p) => ipToBytes(p.host)!.length === 16)
        const entry = (p: PeerAddress) => [...ipToBytes(p.host)!, p.port >> 8, p.port & 0xff]
        const out: { [k: string]: BValue } = { [key]: Uint8Array.from(v4.flatMap(entry)), [`${key}6`]: Uint8Array.from(v6.flatMap(entry)) }
        if (withFlags) {
          out[`${key}.f`] = Uint8Array.from(v4.map((p) => ((p as PexPeer).flags ?? 0) & 0xff))
          out[`${key}6.f`] = Uint8Array.from(v6.map((p) => ((p as PexPeer).flags ?? 0) & 0xff))
        }
        return out
      }
      const expected = model({ ...wire(sendable(add), 'added', true), ...wire(sendable(drop), 'dropped', false) })
      expect(decodePex(bytes)).toEqual(expected)
    }), runs(300))
  })

  it(`messages over ${PEX_MAX_MESSAGE_BYTES} bytes are refused before they are decoded`, () => {
    fc.assert(fc.property(fc.integer({ min: PEX_MAX_MESSAGE_BYTES - 64, max: PEX_MAX_MESSAGE_BYTES + 64 }), (n) => {
      const bytes = bencode({ added: new Uint8Array(n - 13) }) // 'd5:added' + length prefix + 'e' around it
      const got = parsesOrRefuses(() => decodePex(bytes), CODES)
      expect(got !== undefined).toBe(bytes.length <= PEX_MAX_MESSAGE_BYTES)
    }), runs(50))
  })
})

describe('ut_pex extension against any peer', () => {
  it('any sequence of messages at any times: nothing escapes, only decoded peers are learnt, at most one message per interval', () => {
    const payload = fc.oneof(message.map((m) => bencode(m)), fc.uint8Array({ maxLength: 60 }), syntaxBytes('0123456789:idle-'))
    const events = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 * PEX_MIN_RECEIVE_INTERVAL_MS }), payload), { maxLength: 12 })
    fc.assert(fc.property(events, (list) => {
      let now = 1_000_000
      const learnt: { at: number; peers: readonly PexPeer[] }[] = []
      const host: PexHost = {
        opened: () => {}, closed: () => {}, listenPortFor: () => undefined, now: () => now,
        learnt: (peers) => learnt.push({ at: now, peers }),
      }
      const wire: PexWire = { extended: () => {}, once: () => undefined, extendedHandshake: {} }
      const ext = new UtPex(wire, host)
      ext.onExtendedHandshake({ m: { ut_pex: 1 } })
      let lastRead = -Infinity
      const expected: { at: number; peers: PexPeer[] }[] = []
      for (const [gap, bytes] of list) {
        now += gap
        expect(() => ext.onMessage(bytes)).not.toThrow()
        if (now - lastRead < PEX_MIN_RECEIVE_INTERVAL_MS) continue
        lastRead = now
        let added: PexPeer[] = []
        try {
          added = decodePex(bytes).added
        } catch {
          // a malformed message is dropped
        }
        if (added.length) expected.push({ at: now, peers: added })
      }
      expect(learnt).toEqual(expected)
    }), runs(200))
  })
})

import { describe, expect, it } from 'vitest'
// @ts-ignore -- no types; the bencode and compact2string that webtorrent's own ut_pex uses, as an independent reader
import bencodeLib from 'bencode'
// @ts-ignore -- no types
import compact2string from 'compact2string'
import { bencode } from '../../src/core/torrent-parser/bencode'
import { decodePex, encodePex, PEX_FLAG, PEX_MAX_MESSAGE_BYTES, PEX_MAX_PEERS } from '../../src/core/peer-discovery/pex'
import { AppError } from '../../src/protocol/errors'

const v4 = (a: number, b: number, c: number, d: number, port: number) => [a, b, c, d, port >> 8, port & 0xff]
const bytes = (...entries: number[][]) => Uint8Array.from(entries.flat())

function decodeError(input: Uint8Array): AppError {
  try {
    decodePex(input)
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected decodePex to throw')
}

describe('decodePex', () => {
  it('reads added and dropped IPv4 and IPv6 peers with their flags, as libtorrent sends them', () => {
    const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, 0x1a, 0xe1])
    const message = bencode({
      added: bytes(v4(10, 0, 0, 1, 6881), v4(192, 168, 1, 20, 51413)),
      'added.f': Uint8Array.from([PEX_FLAG.seed, PEX_FLAG.reachable | PEX_FLAG.encryption]),
      added6: v6,
      'added6.f': Uint8Array.from([PEX_FLAG.utp]),
      dropped: bytes(v4(172, 16, 0, 9, 80)),
      dropped6: new Uint8Array(0),
    })
    expect(decodePex(message)).toEqual({
      added: [
        { host: '10.0.0.1', port: 6881, flags: PEX_FLAG.seed },
        { host: '192.168.1.20', port: 51413, flags: PEX_FLAG.reachable | PEX_FLAG.encryption },
        { host: '2001:db8::1', port: 6881, flags: PEX_FLAG.utp },
      ],
      dropped: [{ host: '172.16.0.9', port: 80 }],
    })
  })

  it('reads a message with only `added` (no flags, no other keys), as some clients send', () => {
    expect(decodePex(bencode({ added: bytes(v4(1, 2, 3, 4, 5)) }))).toEqual({ added: [{ host: '1.2.3.4', port: 5, flags: 0 }], dropped: [] })
    expect(decodePex(bencode({}))).toEqual({ added: [], dropped: [] })
  })

  it('skips peers no one can dial: port 0, unspecified, multicast, broadcast', () => {
    const message = bencode({
      added: bytes(v4(10, 0, 0, 1, 0), v4(0, 0, 0, 0, 6881), v4(224, 0, 0, 1, 6881), v4(255, 255, 255, 255, 6881), v4(10, 0, 0, 2, 6881)),
      'added.f': Uint8Array.from([1, 2, 3, 4, PEX_FLAG.seed]),
      added6: Uint8Array.from([...Array(16).fill(0), 0x1a, 0xe1, 0xff, 0x02, ...Array(13).fill(0), 1, 0x1a, 0xe1]),
    })
    // the flags byte stays with its own peer when earlier ones are skipped
    expect(decodePex(message).added).toEqual([{ host: '10.0.0.2', port: 6881, flags: PEX_FLAG.seed }])
  })

  it('ignores a trailing partial entry, a short flags list and fields of the wrong type', () => {
    const message = bencode({
      added: bytes(v4(10, 0, 0, 1, 1), v4(10, 0, 0, 2, 2), [10, 0, 0]),
      'added.f': Uint8Array.from([PEX_FLAG.seed]),
      added6: 42,
      dropped: ['not', 'compact'],
    })
    expect(decodePex(message)).toEqual({
      added: [{ host: '10.0.0.1', port: 1, flags: PEX_FLAG.seed }, { host: '10.0.0.2', port: 2, flags: 0 }],
      dropped: [],
    })
  })

  it(`takes at most ${PEX_MAX_PEERS} added and ${PEX_MAX_PEERS} dropped peers from one message, and each once`, () => {
    const many = (n: number) => bytes(...Array.from({ length: n }, (_, i) => v4(10, 1, i >> 8, i & 0xff, 1000 + i)))
    const message = bencode({ added: bytes(v4(10, 9, 9, 9, 9), v4(10, 9, 9, 9, 9)), added6: new Uint8Array(0), dropped: many(300) })
    const decoded = decodePex(message)
    expect(decoded.added).toEqual([{ host: '10.9.9.9', port: 9, flags: 0 }])
    expect(decoded.dropped).toHaveLength(PEX_MAX_PEERS)
    expect(decodePex(bencode({ added: many(300) })).added).toHaveLength(PEX_MAX_PEERS)
    expect(decodePex(bencode({ added: many(300) })).added[PEX_MAX_PEERS - 1]).toEqual({ host: '10.1.0.49', port: 1049, flags: 0 })
  })

  it('refuses oversized messages before decoding them, and anything that is not a bencoded dictionary', () => {
    const big = bencode({ added: new Uint8Array(PEX_MAX_MESSAGE_BYTES) })
    expect(decodeError(big).code).toBe('BAD_PEER_MESSAGE')
    expect(decodeError(bencode(['added'])).code).toBe('BAD_PEER_MESSAGE')
    expect(decodeError(new TextEncoder().encode('d5:added')).code).toBe('BAD_BENCODE')
    // deep nesting under an unknown key cannot exhaust the stack
    expect(decodeError(new TextEncoder().encode(`d1:x${'l'.repeat(10_000)}${'e'.repeat(10_000)}e`)).code).toBe('BAD_BENCODE')
  })
})

describe('encodePex', () => {
  it('writes every key, flags beside their peers, in the bytes BEP 11 describes', () => {
    const out = encodePex({ added: [{ host: '127.0.0.1', port: 6881, flags: PEX_FLAG.reachable }], dropped: [{ host: '::1', port: 80 }] })
    const text = Array.from(out, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')
    expect(text).toBe('d5:added6:\\x7f\\x00\\x00\\x01\\x1a\\xe17:added.f1:\\x106:added60:8:added6.f0:7:dropped0:8:dropped618:'
      + '\\x00'.repeat(15) + '\\x01\\x00Pe')
  })

  it('is read back by an independent bencode + compact2string, as webtorrent\'s ut_pex reads it', () => {
    const out = encodePex({
      added: [{ host: '10.0.0.1', port: 6881 }, { host: '2001:db8::7', port: 51413, flags: PEX_FLAG.seed }],
      dropped: [{ host: '192.168.0.3', port: 1 }],
    })
    const m = bencodeLib.decode(out) as Record<string, Uint8Array>
    expect(compact2string.multi(Buffer.from(m.added!))).toEqual(['10.0.0.1:6881'])
    expect(compact2string.multi6(Buffer.from(m.added6!))).toEqual(['[2001:db8::7]:51413'])
    expect([...m['added6.f']!]).toEqual([PEX_FLAG.seed])
    expect(compact2string.multi(Buffer.from(m.dropped!))).toEqual(['192.168.0.3:1'])
  })

  it(`round-trips through decodePex, leaving out what is not an IP literal and trimming to ${PEX_MAX_PEERS}`, () => {
    const added = Array.from({ length: 60 }, (_, i) => ({ host: `10.0.${i}.1`, port: 2000 + i, flags: i % 2 ? PEX_FLAG.seed : 0 }))
    const out = encodePex({ added: [{ host: 'tracker.example', port: 80 }, { host: '10.0.0.1', port: 0 }, ...added], dropped: [{ host: 'fe80::1', port: 7 }] })
    const decoded = decodePex(out)
    expect(decoded.added).toEqual(added.slice(0, PEX_MAX_PEERS))
    expect(decoded.dropped).toEqual([{ host: 'fe80::1', port: 7 }])
  })
})

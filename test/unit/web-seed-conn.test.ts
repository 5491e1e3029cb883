// The web seed connection (src/engine/peer-connection/web-seed-conn.ts, over core/peer-connection/seed-wire.ts) against a real
// bittorrent-protocol wire, the one webtorrent puts at the other end: what it answers is what a
// client reads, and a web seed's faults (given by a stand-in range fetch: HTTP itself is tested
// in test/bridge/web-seeds.test.ts) cost that web seed only.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
// @ts-ignore -- bittorrent-protocol ships no types; the part used is typed below
import WireModule from 'bittorrent-protocol'
import { RangeFetchError, type RangeFailure } from '../../src/core/peer-connection/range-response'
import { SeedWireReader, fullBitfieldMessage } from '../../src/core/peer-connection/seed-wire'
import { seedFiles } from '../../src/core/peer-connection/web-seed-ranges'
import { MAX_FAILURES, WebSeedConn, type RangeFetch } from '../../src/engine/peer-connection/web-seed-conn'

interface Wire {
  peerPieces: { get(i: number): boolean }
  peerChoking: boolean
  handshake(infoHash: string, peerId: string, extensions?: object): void
  interested(): void
  request(index: number, offset: number, length: number, cb: (err: Error | null, block: Uint8Array) => void): void
  cancel(index: number, offset: number, length: number): void
  pipe<T>(dest: T): T
  destroy(): void
  on(event: string, fn: (...args: any[]) => void): void
  once(event: string, fn: (...args: any[]) => void): void
}
const Wire = WireModule as unknown as new () => Wire

const INFO_HASH = 'c'.repeat(40)
const PIECE = 16 * 1024
// two files across three pieces, the second piece spanning both, the last one short
const DATA = Uint8Array.from({ length: 2 * PIECE + 5000 }, (_, i) => (i * 13 + (i >> 8)) & 0xff)
const FILES = [{ offset: 0, length: PIECE + 100, pad: false }, { offset: PIECE + 100, length: PIECE + 4900, pad: false }]
const HASHES = new Uint8Array(60)
for (let i = 0; i < 3; i++) HASHES.set(createHash('sha1').update(DATA.subarray(i * PIECE, (i + 1) * PIECE)).digest(), i * 20)

/** The web seed's files, as its server holds them. */
const served = (url: string) => {
  const file = url.endsWith('/t/a') ? FILES[0]! : FILES[1]!
  return DATA.subarray(file.offset, file.offset + file.length)
}
const honest: RangeFetch = async (url, start, length) => served(url).slice(start, start + length)

function connect(opts: { direct?: RangeFetch | null; bridge?: RangeFetch | null; backoffMs?: number }) {
  const dropped: string[] = []
  const conn = new WebSeedConn({
    url: 'http://seed.example/', infoHash: INFO_HASH, peerId: 'd'.repeat(40),
    pieceLength: PIECE, pieceCount: 3, lastPieceLength: 5000, pieceHashes: HASHES,
    files: seedFiles('http://seed.example/', [['t', 'a'], ['t', 'b']], FILES),
    direct: opts.direct === undefined ? honest : opts.direct,
    bridge: () => opts.bridge ?? null,
    sha1: async (bytes) => new Uint8Array(createHash('sha1').update(bytes).digest()),
    onDropped: (reason) => dropped.push(reason),
    backoffMs: opts.backoffMs ?? 20,
  })
  const wire = new Wire()
  wire.on('error', () => {})
  conn.pipe(wire as never)
  wire.pipe(conn)
  // as webtorrent's Peer does: the connection gone, its wire goes
  conn.once('close', () => wire.destroy())
  const ready = new Promise<void>((resolve) => wire.once('unchoke', () => resolve()))
  wire.once('handshake', () => wire.interested())
  wire.handshake(INFO_HASH, 'e'.repeat(40))
  const request = (index: number, offset: number, length: number) => new Promise<Uint8Array>((resolve, reject) => {
    wire.request(index, offset, length, (err, block) => err ? reject(err) : resolve(block))
  })
  return { conn, wire, ready, request, dropped }
}

describe('web seed connection', () => {
  it('has every piece, unchokes an interested wire and answers requests with the bytes, across files and at any offset', async () => {
    const { conn, wire, ready, request, dropped } = connect({})
    await ready
    expect([0, 1, 2].every((i) => wire.peerPieces.get(i))).toBe(true)
    expect(wire.peerPieces.get(3)).toBe(false)
    expect(await request(1, 0, PIECE)).toEqual(DATA.subarray(PIECE, 2 * PIECE))
    expect(await request(2, 0, 5000)).toEqual(DATA.subarray(2 * PIECE))
    expect(await request(0, 100, 300)).toEqual(DATA.subarray(100, 400))
    expect(dropped).toEqual([])
    conn.destroy()
  })

  it('a web seed whose whole piece does not match the torrent is dropped at once, with the reason', async () => {
    const liar: RangeFetch = async (url, start, length) => served(url).slice(start, start + length).map((b) => b ^ 1)
    const { conn, ready, request, dropped } = connect({ direct: liar })
    await ready
    // the wire failing the request as its peer goes (bittorrent-protocol: "peer is choking"), not an error of the test's own
    await expect(request(1, 0, PIECE)).rejects.toThrow(/^(peer is choking|wire was closed)$/)
    expect(dropped).toEqual(['it sent data that does not match the torrent (piece 1)'])
    expect(conn.destroyed).toBe(true)
  })

  it('failures choke it for a while (its requests fail at once, webtorrent asks others); MAX_FAILURES in a row drop it', async () => {
    let calls = 0
    const failing: RangeFetch = async () => { calls++; throw new RangeFetchError('failed', 'HTTP 503') }
    const { wire, ready, request, dropped } = connect({ direct: failing })
    await ready
    for (let i = 1; i <= MAX_FAILURES; i++) {
      if (wire.peerChoking) await new Promise<void>((resolve) => wire.once('unchoke', () => resolve()))
      await expect(request(0, 0, PIECE)).rejects.toThrow(/^(peer is choking|wire was closed)$/)
      expect(calls).toBe(i)
    }
    expect(dropped).toEqual(['HTTP 503'])
  })

  it('a success in between resets the count; the bridge being busy or away is never counted', async () => {
    const outcomes: (RangeFailure | 'ok')[] = ['failed', 'failed', 'ok', 'failed', 'busy', 'busy', 'busy', 'failed', 'ok']
    const script: RangeFetch = async (url, start, length) => {
      const next = outcomes.shift()
      if (next === 'ok') return honest(url, start, length, new AbortController().signal)
      throw new RangeFetchError(next!, `scripted ${next}`)
    }
    const { conn, wire, ready, request, dropped } = connect({ direct: script })
    await ready
    while (outcomes.length) {
      if (wire.peerChoking) await new Promise<void>((resolve) => wire.once('unchoke', () => resolve()))
      await request(2, 0, 5000).catch(() => {})
    }
    expect(dropped).toEqual([])
    conn.destroy()
  })

  it('turns to the bridge for good when the page cannot reach the web seed itself (CORS), and is dropped when the bridge refuses it', async () => {
    let direct = 0
    const cors: RangeFetch = async () => { direct++; throw new RangeFetchError('unreachable', 'Failed to fetch') }
    const bridged = connect({ direct: cors, bridge: honest })
    await bridged.ready
    expect(await bridged.request(0, 0, PIECE)).toEqual(DATA.subarray(0, PIECE))
    expect(await bridged.request(1, 0, PIECE)).toEqual(DATA.subarray(PIECE, 2 * PIECE))
    expect(bridged.conn.viaBridge).toBe(true)
    expect(direct).toBe(1)
    bridged.conn.destroy()

    const refused = connect({ direct: cors, bridge: async () => { throw new RangeFetchError('refused', 'web seed address 10.0.0.1 is a private address') } })
    await refused.ready
    await expect(refused.request(0, 0, PIECE)).rejects.toThrow(/^(peer is choking|wire was closed)$/)
    expect(refused.dropped).toEqual(['web seed address 10.0.0.1 is a private address'])
  })

  it('a cancel aborts the fetch; nothing is sent for it', async () => {
    let aborted = false
    const slow: RangeFetch = (_url, _start, _length, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => {
      aborted = true
      reject(new RangeFetchError('busy', 'cancelled'))
    }))
    const { conn, wire, ready, dropped } = connect({ direct: slow })
    await ready
    wire.request(0, 0, PIECE, () => {})
    await new Promise((r) => setTimeout(r, 20))
    wire.cancel(0, 0, PIECE)
    await new Promise((r) => setTimeout(r, 20))
    expect(aborted).toBe(true)
    expect(dropped).toEqual([])
    expect(wire.peerChoking).toBe(false)
    conn.destroy()
  })
})

describe('seed wire reader', () => {
  const handshake = () => {
    const h = new Uint8Array(68)
    h[0] = 19
    h.set(new TextEncoder().encode('BitTorrent protocol'), 1)
    return h
  }

  it('reads messages in any cuts', () => {
    const bytes = Uint8Array.from([...handshake(), 0, 0, 0, 1, 2, 0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, ...fullBitfieldMessage(10)])
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new SeedWireReader(10)
      const a = reader.push(bytes.subarray(0, cut))
      const b = reader.push(bytes.subarray(cut))
      if (!a.ok || !b.ok) throw new Error('refused')
      expect([...a.messages, ...b.messages].map((m) => m.type)).toEqual(['handshake', 'interested', 'request', 'keep-alive', 'bitfield'])
    }
  })

  it('refuses what its own wire never sends: another protocol, a message longer than the bitfield, an unknown id, a wrong size', () => {
    const bad = handshake()
    bad[1] = 0x62
    expect(new SeedWireReader(10).push(bad)).toEqual({ ok: false, reason: 'not a BitTorrent handshake' })
    const push = (...message: number[]) => new SeedWireReader(10).push(Uint8Array.from([...handshake(), ...message]))
    expect(push(0, 0, 0, 14)).toEqual({ ok: false, reason: 'a message of 14 bytes' })
    expect(push(0x7f, 0xff, 0xff, 0xff)).toEqual({ ok: false, reason: `a message of ${0x7fffffff} bytes` })
    expect(push(0, 0, 0, 1, 20)).toEqual({ ok: false, reason: 'message id 20, which a web seed is never sent' })
    expect(push(0, 0, 0, 2, 2, 0)).toEqual({ ok: false, reason: 'message 2 of 2 bytes' })
    expect(push(0, 0, 0, 4, 6, 0, 0, 0)).toEqual({ ok: false, reason: 'message 6 of 4 bytes' })
  })

  it('a full bitfield sets every piece and no spare bit', () => {
    expect([...fullBitfieldMessage(10)]).toEqual([0, 0, 0, 3, 5, 0xff, 0xc0])
    expect([...fullBitfieldMessage(16)]).toEqual([0, 0, 0, 3, 5, 0xff, 0xff])
  })
})

// The SHA-1 of downloaded pieces in the storage worker (src/engine/webtorrent/piece-hashing.ts), on
// webtorrent's own Piece class (torrent-piece, which its browser build bundles) and the real
// WebCrypto; webtorrent calls a torrent's pieceCheck where the build added the hook
// (piece-check-hook.ts, tested on the real module in webtorrent-door.test.ts). The storage worker is stood in for by an object that does what it does with these
// requests (keeps the transferred bytes, hashes them, writes or forgets them): Node has no Worker
// with OPFS; the e2e downloads (byte-exact) run the real one.
import { EventEmitter } from 'node:events'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
// @ts-ignore -- torrent-piece ships no types
import Piece from 'torrent-piece'
import { assemblePiecesIntoSpareBuffers, hashPiecesInWorker, type PieceSource } from '../../src/engine/webtorrent/piece-hashing'
import { pieceHash } from '../../src/core/file-storage/merkle'
import type { PieceHashes } from '../../src/protocol/storage-messages'
import { reusePieceBuffer, takeHeld } from '../../src/storage/file-storage/held-pieces'

interface TorrentPiece { set(i: number, data: Uint8Array, source: unknown): boolean; flush(): Uint8Array }
const BLOCK = 16 * 1024

const browserDigest = crypto.subtle.digest.bind(crypto.subtle)
const worker = {
  kept: new Map<number, ArrayBuffer>(),
  written: [] as { index: number; bytes: Uint8Array }[],
  dropped: [] as number[],
  async hashHeld(held: number, data: ArrayBuffer): Promise<ArrayBuffer> {
    const moved = structuredClone(data, { transfer: [data] }) // postMessage's transfer
    this.kept.set(held, moved)
    return browserDigest('SHA-1', moved)
  },
  /** The storage worker's 'hash' with a check (storage.worker.ts hashHeld): SHA-1 and/or the BEP 52 piece hash. */
  async checkHeld(held: number, data: ArrayBuffer, check: PieceHashes): Promise<{ sha1?: ArrayBuffer; v2?: ArrayBuffer }> {
    const moved = structuredClone(data, { transfer: [data] })
    this.kept.set(held, moved)
    this.checks.push(check)
    const out: { sha1?: ArrayBuffer; v2?: ArrayBuffer } = {}
    if (check.sha1) out.sha1 = await browserDigest('SHA-1', moved)
    if (check.v2) out.v2 = (await pieceHash(new Uint8Array(moved).subarray(0, check.v2.dataLength), check.v2.leaves)).slice().buffer
    return out
  },
  checks: [] as PieceHashes[],
  /** Writes (here: copies out) the kept bytes; their buffer goes back, as the worker's reply transfers it. */
  async putHeld(_torrent: string, index: number, held: number): Promise<ArrayBuffer> {
    const data = this.kept.get(held)!
    this.written.push({ index, bytes: new Uint8Array(data).slice() })
    this.kept.delete(held)
    return structuredClone(data, { transfer: [data] })
  },
  async drop(held: number): Promise<ArrayBuffer | undefined> {
    this.dropped.push(held)
    const data = this.kept.get(held)
    this.kept.delete(held)
    return data && structuredClone(data, { transfer: [data] })
  },
}

/** A piece of `blocks` 16 KiB blocks, assembled as webtorrent does: blocks set, then flush. */
function assembled(blocks: number, seed: number): Uint8Array {
  const piece = new Piece(blocks * BLOCK) as TorrentPiece
  for (let i = 0; i < blocks; i++) piece.set(i, new Uint8Array(BLOCK).fill((seed + i) & 0xff), null)
  return piece.flush()
}
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex')
const hex = (d: ArrayBuffer) => Buffer.from(d).toString('hex')

// a torrent with metadata, whose pieces are torrent-piece's: assemblePiecesIntoSpareBuffers finds the class there
const torrent: PieceSource & EventEmitter = Object.assign(new EventEmitter(), { pieces: [null, new Piece(BLOCK)] })
/** Pieces past 100 are checked the BEP 52 way (what a v2 torrent's checkOf says): good when their merkle hash is `v2Expected`. */
let v2Expected: Uint8Array = new Uint8Array(32)
const GOOD = new Uint8Array(20).fill(0xaa).buffer
hashPiecesInWorker(torrent, worker, (index) => index < 100 ? undefined : {
  check: { sha1: false, v2: { dataLength: 2 * BLOCK, leaves: 2 } },
  answer: async ({ v2 }) => (v2 && Buffer.from(v2).equals(v2Expected) ? GOOD : new ArrayBuffer(20)),
})
assemblePiecesIntoSpareBuffers(torrent)
torrent.emit('metadata')
/** What webtorrent's piece handler does with the hook: the hex it compares with the metainfo's. */
const check = (piece: Uint8Array) => torrent.pieceCheck!(0, piece)

describe('piece hashing in the storage worker', () => {
  it('hashes an assembled piece there, and the put that follows writes the kept bytes', async () => {
    const buf = assembled(4, 1)
    const expected = sha1(buf)
    const copy = buf.slice()
    expect(await check(buf)).toBe(expected)
    expect(buf.byteLength).toBe(0) // transferred: the page kept no copy
    const held = takeHeld(buf)
    expect([...worker.kept.keys()], 'the id the worker keeps these bytes under').toContain(held)
    expect(takeHeld(buf)).toBeUndefined() // claimed once
    await worker.putHeld('t', 7, held!)
    expect(worker.written.at(-1)!.index).toBe(7)
    expect(sha1(worker.written.at(-1)!.bytes)).toBe(sha1(copy))
    await new Promise((r) => setTimeout(r, 10))
    expect(worker.dropped).not.toContain(held)
  })

  it('assembles the next piece into a buffer the worker gave back, and its bytes are the new ones', async () => {
    const first = assembled(4, 20)
    await check(first)
    const spare = await worker.putHeld('t', 1, takeHeld(first)!)
    reusePieceBuffer(spare)
    const second = assembled(4, 40)
    expect(second.buffer).toBe(spare) // no new buffer
    const expected = new Uint8Array(4 * BLOCK)
    for (let i = 0; i < 4; i++) expected.fill((40 + i) & 0xff, i * BLOCK, (i + 1) * BLOCK)
    expect(sha1(second)).toBe(sha1(expected))
    expect(await check(second)).toBe(sha1(expected))
    await worker.putHeld('t', 2, takeHeld(second)!)
    expect(sha1(worker.written.at(-1)!.bytes)).toBe(sha1(expected))
    // another length is assembled into a buffer of its own
    expect(assembled(3, 1).buffer).not.toBe(spare)
  })

  it('drops a piece that is never put (its hash was wrong)', async () => {
    const buf = assembled(2, 9)
    await check(buf)
    const held = [...worker.kept.keys()].at(-1)!
    await new Promise((r) => setTimeout(r, 10))
    expect(worker.dropped).toContain(held)
    expect(worker.kept.has(held)).toBe(false)
    expect(takeHeld(buf)).toBeUndefined()
  })

  it('leaves the page\'s own digests alone, and never transfers a view from under its owner', async () => {
    const kept = worker.kept.size
    // the page's crypto.subtle is the browser's own: a piece-sized buffer hashed there stays put
    const piece = assembled(1, 3)
    expect(hex(await crypto.subtle.digest('SHA-1', piece))).toBe(sha1(piece))
    expect(piece.byteLength).toBe(BLOCK)
    expect(worker.kept.size).toBe(kept)
    // a view into a larger buffer is hashed on the page, never transferred
    const view = new Uint8Array(2 * BLOCK).fill(7).subarray(BLOCK)
    expect(await check(view)).toBe(sha1(view))
    expect(view.byteLength).toBe(BLOCK)
    expect(worker.kept.size).toBe(kept)
    expect(takeHeld(view)).toBeUndefined()
  })

  it('checks a piece its torrent checks its own way (v2) in the worker, with what that check asks', async () => {
    const buf = assembled(2, 60)
    v2Expected = await pieceHash(buf, 2)
    const checks = worker.checks.length
    expect(await torrent.pieceCheck!(100, buf)).toBe('aa'.repeat(20))
    expect(buf.byteLength).toBe(0) // transferred, as a v1 piece is
    expect(worker.checks.slice(checks)).toEqual([{ sha1: false, v2: { dataLength: 2 * BLOCK, leaves: 2 } }])
    const held = takeHeld(buf)
    expect(held).toBe([...worker.kept.keys()].at(-1))
    await worker.putHeld('t', 100, held!)
    // a wrong piece: its answer is not the one webtorrent compares with, so it is never put, and dropped
    const bad = assembled(2, 61)
    expect(await torrent.pieceCheck!(101, bad)).toBe('00'.repeat(20))
    const badHeld = [...worker.kept.keys()].at(-1)!
    await new Promise((r) => setTimeout(r, 10))
    expect(worker.dropped).toContain(badHeld)
  })
})

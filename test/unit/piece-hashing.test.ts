// The SHA-1 of downloaded pieces in the storage worker (src/engine/piece-hashing.ts), on
// webtorrent's own Piece class (torrent-piece, which its browser build bundles) and the real
// WebCrypto. The storage worker is stood in for by an object that does what it does with these
// requests (keeps the transferred bytes, hashes them, writes or forgets them): Node has no Worker
// with OPFS; the e2e downloads (byte-exact) run the real one.
import { EventEmitter } from 'node:events'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
// @ts-ignore -- torrent-piece ships no types
import Piece from 'torrent-piece'
import { hashPiecesInWorker, markAssembledPieces } from '../../src/engine/piece-hashing'
import { reusePieceBuffer, takeHeld } from '../../src/storage/held-pieces'

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
hashPiecesInWorker(worker)

/** A piece of `blocks` 16 KiB blocks, assembled as webtorrent does: blocks set, then flush. */
function assembled(blocks: number, seed: number): Uint8Array {
  const piece = new Piece(blocks * BLOCK) as TorrentPiece
  for (let i = 0; i < blocks; i++) piece.set(i, new Uint8Array(BLOCK).fill((seed + i) & 0xff), null)
  return piece.flush()
}
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex')
const hex = (d: ArrayBuffer) => Buffer.from(d).toString('hex')

// a torrent with metadata, whose pieces are torrent-piece's: markAssembledPieces finds the class there
const torrent = Object.assign(new EventEmitter(), { pieces: [null, new Piece(BLOCK)] })
markAssembledPieces(torrent)
torrent.emit('metadata')

describe('piece hashing in the storage worker', () => {
  it('hashes an assembled piece there, and the put that follows writes the kept bytes', async () => {
    const buf = assembled(4, 1)
    const expected = sha1(buf)
    const copy = buf.slice()
    const digest = await crypto.subtle.digest('sha-1', buf)
    expect(hex(digest)).toBe(expected)
    expect(buf.byteLength).toBe(0) // transferred: the page kept no copy
    const held = takeHeld(buf)
    expect(held).toBeDefined()
    expect(takeHeld(buf)).toBeUndefined() // claimed once
    await worker.putHeld('t', 7, held!)
    expect(worker.written.at(-1)!.index).toBe(7)
    expect(sha1(worker.written.at(-1)!.bytes)).toBe(sha1(copy))
    await new Promise((r) => setTimeout(r, 10))
    expect(worker.dropped).not.toContain(held)
  })

  it('assembles the next piece into a buffer the worker gave back, and its bytes are the new ones', async () => {
    const first = assembled(4, 20)
    await crypto.subtle.digest('SHA-1', first)
    const spare = await worker.putHeld('t', 1, takeHeld(first)!)
    reusePieceBuffer(spare)
    const second = assembled(4, 40)
    expect(second.buffer).toBe(spare) // no new buffer
    const expected = new Uint8Array(4 * BLOCK)
    for (let i = 0; i < 4; i++) expected.fill((40 + i) & 0xff, i * BLOCK, (i + 1) * BLOCK)
    expect(sha1(second)).toBe(sha1(expected))
    expect(hex(await crypto.subtle.digest('SHA-1', second))).toBe(sha1(expected))
    await worker.putHeld('t', 2, takeHeld(second)!)
    expect(sha1(worker.written.at(-1)!.bytes)).toBe(sha1(expected))
    // another length is assembled into a buffer of its own
    expect(assembled(3, 1).buffer).not.toBe(spare)
  })

  it('drops a piece that is never put (its hash was wrong)', async () => {
    const buf = assembled(2, 9)
    await crypto.subtle.digest('SHA-1', buf)
    const held = [...worker.kept.keys()].at(-1)!
    await new Promise((r) => setTimeout(r, 10))
    expect(worker.dropped).toContain(held)
    expect(worker.kept.has(held)).toBe(false)
    expect(takeHeld(buf)).toBeUndefined()
  })

  it('leaves every other digest to the browser: other buffers, other algorithms, a piece hashed twice', async () => {
    const kept = worker.kept.size
    const other = new Uint8Array(3 * BLOCK).fill(5)
    expect(hex(await crypto.subtle.digest('SHA-1', other))).toBe(sha1(other))
    expect(other.byteLength).toBe(3 * BLOCK)
    const piece = assembled(1, 3)
    const sha256 = await crypto.subtle.digest('SHA-256', piece)
    expect(hex(sha256)).toBe(createHash('sha256').update(piece).digest('hex'))
    expect(piece.byteLength).toBe(BLOCK)
    expect(worker.kept.size).toBe(kept)
    // a view into a larger buffer is never transferred from under its owner
    const view = new Uint8Array(2 * BLOCK).subarray(BLOCK)
    await crypto.subtle.digest('SHA-1', view)
    expect(view.byteLength).toBe(BLOCK)
    expect(takeHeld(view)).toBeUndefined()
  })
})

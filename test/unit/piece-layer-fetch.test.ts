// A file's piece layer fetched from peers (core/peer-connection/piece-layer-fetch.ts): the requests it makes, the
// answers it takes (proven to the pieces root, one at a time), and the lies it refuses.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BLOCK_SIZE, buildLayers, pieceLayerFromBlocks, pieceLayerOf, rootFromBlocks } from '../../src/core/file-storage/merkle'
import { answerHashRequest, proofLayersToRoot, type HashRequest } from '../../src/core/file-storage/merkle-proof'
import { LAYER_CHUNK, PieceLayerFetch } from '../../src/core/peer-connection/piece-layer-fetch'

/** A file of `pieces` pieces of `pieceLength` (its last one short), from made-up block hashes. */
function file(pieces: number, pieceLength: number) {
  const length = pieces * pieceLength - 100
  const blocks = new Uint8Array(randomBytes(Math.ceil(length / BLOCK_SIZE) * 32))
  const root = rootFromBlocks(blocks, length)
  const layer = pieceLayerFromBlocks(blocks, pieceLength)
  const base = pieceLayerOf(pieceLength)
  const layers = buildLayers(layer, base, length)
  return { length, root, layer, answer: (request: HashRequest) => answerHashRequest(request, layers, base)! }
}

describe('a piece layer fetched from peers', () => {
  it('asks for 512 hashes at a time, each answer proven to the root, and assembles the layer (577 pieces: 512, then 128 of which 65 are real)', () => {
    const f = file(577, BLOCK_SIZE)
    const fetch = new PieceLayerFetch(f.root, f.length, BLOCK_SIZE)
    const requests = fetch.requests()
    const proofLayers = proofLayersToRoot(0, f.length)
    expect(requests.map(({ baseLayer, index, length }) => ({ baseLayer, index, length }))).toEqual([
      { baseLayer: 0, index: 0, length: LAYER_CHUNK },
      { baseLayer: 0, index: 512, length: 128 },
    ])
    expect(requests.every((r) => r.proofLayers === proofLayers)).toBe(true)
    expect(fetch.add(requests[1]!, f.answer(requests[1]!))).toBe('added')
    expect(fetch.complete).toBe(false)
    expect(fetch.pieceLayer()).toBeUndefined()
    expect(fetch.requests()).toHaveLength(1)
    expect(fetch.add(requests[0]!, f.answer(requests[0]!))).toBe('added')
    expect(fetch.complete).toBe(true)
    expect(fetch.pieceLayer()).toEqual(f.layer)
  })

  it('takes 64 KiB pieces: the layer is two layers above the blocks', () => {
    const f = file(40, 4 * BLOCK_SIZE)
    const fetch = new PieceLayerFetch(f.root, f.length, 4 * BLOCK_SIZE)
    const [request] = fetch.requests()
    expect(request).toMatchObject({ baseLayer: 2, index: 0, length: 64 })
    expect(fetch.add(request!, f.answer(request!))).toBe('added')
    expect(fetch.pieceLayer()).toEqual(f.layer)
  })

  it('never asks for one hash alone (513 pieces: the last one in a request of two)', () => {
    const f = file(513, BLOCK_SIZE)
    const fetch = new PieceLayerFetch(f.root, f.length, BLOCK_SIZE)
    expect(fetch.requests().map((r) => [r.index, r.length])).toEqual([[0, 512], [512, 2]])
    for (const r of fetch.requests()) expect(fetch.add(r, f.answer(r))).toBe('added')
    expect(fetch.pieceLayer()).toEqual(f.layer)
  })

  it('refuses hashes that do not lead to the root: a changed piece hash, a changed uncle, another file\'s answer', () => {
    const f = file(577, BLOCK_SIZE)
    const other = file(577, BLOCK_SIZE)
    const fetch = new PieceLayerFetch(f.root, f.length, BLOCK_SIZE)
    const [first, second] = fetch.requests() as [HashRequest, HashRequest]
    const changedHash = f.answer(first).slice()
    changedHash[5 * 32] = changedHash[5 * 32]! ^ 1
    expect(fetch.add(first, changedHash)).toBe('bad proof')
    const changedUncle = f.answer(second).slice()
    changedUncle[changedUncle.length - 1] = changedUncle[changedUncle.length - 1]! ^ 1
    expect(fetch.add(second, changedUncle)).toBe('bad proof')
    expect(fetch.add(first, other.answer({ ...first, piecesRoot: other.root }))).toBe('bad proof')
    // nothing taken from the lies: both still asked for, and the truth still fits
    expect(fetch.requests()).toHaveLength(2)
    for (const r of [first, second]) expect(fetch.add(r, f.answer(r))).toBe('added')
    expect(fetch.pieceLayer()).toEqual(f.layer)
  })

  it('ignores answers to requests it did not make, or already has', () => {
    const f = file(577, BLOCK_SIZE)
    const fetch = new PieceLayerFetch(f.root, f.length, BLOCK_SIZE)
    const [first] = fetch.requests() as [HashRequest]
    const smaller = { ...first, length: 256 }
    expect(fetch.add(smaller, f.answer(smaller))).toBe('not asked')
    expect(fetch.add(first, f.answer(first))).toBe('added')
    expect(fetch.add(first, f.answer(first))).toBe('not asked')
  })

  it('has nothing to fetch for a file of one piece (its root is the piece\'s hash)', () => {
    const f = file(1, 4 * BLOCK_SIZE)
    expect(() => new PieceLayerFetch(f.root, f.length, 4 * BLOCK_SIZE)).toThrow(/one piece/)
  })
})

// BEP 52 merkle trees against a plain reference: every layer built whole, padding and all, with
// node:crypto (test/unit/v2-libtorrent.test.ts checks the same code against libtorrent's torrents).
import { createHash, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BLOCK_SIZE, buildLayers, filePieceCount, hashBlocks, leafCount, padHash, pieceHash, pieceLayerFromBlocks, pieceLayerOf,
  pieceLeafCount, rootFromBlocks, rootFromPieceLayer, treeHeight, verifyPieceLayer,
} from '../../src/core/file-storage/merkle'
import {
  answerHashRequest, hashRequestProblem, proofLayersToRoot, provenNode, uncleCount, verifyHashesToRoot, type HashRequest,
} from '../../src/core/file-storage/merkle-proof'
import { runs } from '../support/property'

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return new Uint8Array(h.digest())
}

/** Every layer of the file's tree, padded to full width: layers[0] the leaves, the last the root. */
function referenceTree(data: Uint8Array): Uint8Array[][] {
  const blocks = Math.ceil(data.length / BLOCK_SIZE)
  let width = 1
  while (width < blocks) width *= 2
  let layer: Uint8Array[] = Array.from({ length: width }, (_, i) => (i < blocks ? sha256(data.subarray(i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)) : new Uint8Array(32)))
  const layers = [layer]
  while (layer.length > 1) {
    const up: Uint8Array[] = []
    for (let i = 0; i < layer.length; i += 2) up.push(sha256(layer[i]!, layer[i + 1]!))
    layers.push((layer = up))
  }
  return layers
}

const concat = (hashes: Uint8Array[]) => Uint8Array.from(hashes.flatMap((h) => [...h]))
const pieceLengths = fc.constantFrom(16384, 32768, 65536, 262144)
/** File lengths around block and piece boundaries, small enough to hash many. */
const fileLength = fc.oneof(
  fc.integer({ min: 1, max: 40 * BLOCK_SIZE }),
  fc.tuple(fc.integer({ min: 1, max: 33 }), fc.integer({ min: -1, max: 1 })).map(([blocks, d]) => Math.max(1, blocks * BLOCK_SIZE + d)),
)
const dataOf = (length: number, seed: number) => {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff
  return out
}

describe('merkle trees', () => {
  it('pad hashes are the roots of zero leaves', () => {
    const reference = referenceTree(new Uint8Array(0)) // one zero leaf
    expect(padHash(0)).toEqual(reference[0]![0])
    let pad = new Uint8Array(32)
    for (let k = 1; k < 40; k++) {
      pad = sha256(pad, pad)
      expect(padHash(k)).toEqual(pad)
    }
  })

  it('the root, the piece layer and each piece hash match the reference tree', async () => {
    await fc.assert(fc.asyncProperty(fileLength, pieceLengths, fc.nat(1000), async (length, pieceLength, seed) => {
      const data = dataOf(length, seed)
      const reference = referenceTree(data)
      const blocks = await hashBlocks(data)
      expect(blocks).toEqual(concat(reference[0]!.slice(0, Math.ceil(length / BLOCK_SIZE))))
      const root = rootFromBlocks(blocks, length)
      expect(root).toEqual(reference[reference.length - 1]![0])
      expect(treeHeight(length)).toBe(reference.length - 1)
      const pieces = filePieceCount(length, pieceLength)
      const p = pieceLayerOf(pieceLength)
      if (length > pieceLength) {
        const layer = pieceLayerFromBlocks(blocks, pieceLength)
        expect(layer).toEqual(concat(reference[p]!.slice(0, pieces)))
        expect(rootFromPieceLayer(layer, pieceLength, length)).toEqual(root)
        expect(verifyPieceLayer(layer, root, pieceLength, length)).toBe(true)
        for (let i = 0; i < pieces; i++) {
          const piece = data.subarray(i * pieceLength, (i + 1) * pieceLength)
          expect(await pieceHash(piece, pieceLeafCount(length, pieceLength))).toEqual(reference[p]![i])
        }
      } else {
        // a file of one piece is checked against its root
        expect(await pieceHash(data, pieceLeafCount(length, pieceLength))).toEqual(root)
      }
    }), runs(60))
  })

  it('a piece layer with one bit changed, a hash too many or too few, is refused', async () => {
    const length = 5 * 65536 + 1000
    const data = randomBytes(length)
    const blocks = await hashBlocks(data)
    const root = rootFromBlocks(blocks, length)
    const layer = pieceLayerFromBlocks(blocks, 65536)
    expect(verifyPieceLayer(layer, root, 65536, length)).toBe(true)
    for (let bit = 0; bit < layer.length * 8; bit += 37) {
      const bad = layer.slice()
      bad[bit >> 3]! ^= 1 << (bit & 7)
      expect(verifyPieceLayer(bad, root, 65536, length)).toBe(false)
    }
    expect(verifyPieceLayer(layer.subarray(32), root, 65536, length)).toBe(false)
    expect(verifyPieceLayer(Uint8Array.from([...layer, ...padHash(2)]), root, 65536, length)).toBe(false)
    // the layer of a file no longer than a piece does not exist: its root is its piece's hash
    expect(verifyPieceLayer(root, root, 65536, 65536)).toBe(false)
  })
})

describe('hash requests and their proofs', () => {
  /** A valid request for a file of `length`, and which part of its tree it asks for. */
  const requestFor = (length: number) => {
    const height = treeHeight(length)
    return fc.integer({ min: 0, max: Math.max(0, height - 1) }).chain((base) => {
      const width = leafCount(length) / 2 ** base
      // one hash too: libtorrent asks for the last of a file's piece layer alone (512·k + 1 pieces)
      return fc.integer({ min: 0, max: Math.log2(width) }).chain((logLength) => {
        const count = 2 ** logLength
        return fc.record({
          baseLayer: fc.constant(base),
          length: fc.constant(count),
          index: fc.integer({ min: 0, max: width / count - 1 }).map((k) => k * count),
          proofLayers: fc.integer({ min: 0, max: height - base - 1 }),
        })
      })
    })
  }
  const fileAndRequest = fc.tuple(fc.integer({ min: 2 * BLOCK_SIZE + 1, max: 70 * BLOCK_SIZE }), fc.nat(100))
    .chain(([length, seed]) => fc.tuple(fc.constant(length), fc.constant(seed), requestFor(length)))

  it('an answer from the tree proves its hashes up to the node it claims, and to the root with a full proof', async () => {
    await fc.assert(fc.asyncProperty(fileAndRequest, async ([length, seed, shape]) => {
      const data = dataOf(length, seed)
      const reference = referenceTree(data)
      const root = reference[reference.length - 1]![0]!
      const request: HashRequest = { piecesRoot: root, ...shape }
      expect(hashRequestProblem(request, length)).toBeNull()
      const layers = buildLayers(await hashBlocks(data), 0, length)
      expect(layers[layers.length - 1]).toEqual(root)
      const answer = answerHashRequest(request, layers, 0)!
      expect(answer.length).toBe((shape.length + uncleCount(shape)) * 32)
      expect(answer.subarray(0, shape.length * 32)).toEqual(concat(reference[shape.baseLayer]!.slice(shape.index, shape.index + shape.length)))
      const top = provenNode(request, answer)
      expect(top.hash).toEqual(reference[top.layer]![top.index])
      // the root is reached with a full proof, or with hashes that span their whole layer
      const full = shape.baseLayer + Math.log2(shape.length) + uncleCount(shape) === treeHeight(length)
      if (shape.proofLayers === proofLayersToRoot(shape.baseLayer, length)) expect(full).toBe(true)
      expect(verifyHashesToRoot(request, answer, length)).toBe(full)
      // a changed byte anywhere in a full proof's answer breaks it
      if (full) {
        for (let at = 0; at < answer.length; at += 29) {
          const bad = answer.slice()
          bad[at]! ^= 0x40
          expect(verifyHashesToRoot(request, bad, length)).toBe(false)
        }
      }
      // an answer built from the piece layer up serves requests at or above it, and only those
      const p = pieceLayerOf(65536)
      if (treeHeight(length) > p) {
        const fromPieces = buildLayers(pieceLayerFromBlocks(await hashBlocks(data), 65536), p, length)
        const answerAbove = answerHashRequest(request, fromPieces, p)
        if (shape.baseLayer < p) expect(answerAbove).toBeNull()
        else expect(answerAbove).toEqual(answer)
      }
    }), runs(60))
  })

  it('refuses requests BEP 52 and libtorrent refuse', () => {
    const length = 100 * BLOCK_SIZE // 128 leaves, height 7
    const root = new Uint8Array(32)
    const ok: HashRequest = { piecesRoot: root, baseLayer: 0, index: 0, length: 2, proofLayers: 6 }
    expect(hashRequestProblem(ok, length)).toBeNull()
    const bad: [Partial<HashRequest>, RegExp][] = [
      [{ baseLayer: 7 }, /not below the root/],
      [{ length: 3 }, /not a power of two/],
      [{ length: 16384 }, /not a power of two from 1 to 8192/],
      [{ index: 1 }, /not a multiple/],
      [{ index: 128 }, /past the layer/],
      [{ baseLayer: 6, length: 4 }, /past the layer/],
      [{ proofLayers: 7 }, /past the root/],
    ]
    for (const [change, message] of bad) expect(hashRequestProblem({ ...ok, ...change }, length)).toMatch(message)
    expect(hashRequestProblem({ ...ok, length: 1, index: 5 }, length)).toBeNull() // as libtorrent asks for a lone last hash
    expect(hashRequestProblem(ok, 0)).toMatch(/empty file/)
    expect(hashRequestProblem({ ...ok, baseLayer: 0, index: 0 }, BLOCK_SIZE)).toMatch(/not below the root/) // one block: the root is the leaf
  })

  it('counts the uncles BEP 52 says an answer carries', () => {
    expect(uncleCount({ length: 1, proofLayers: 0 })).toBe(1) // a lone hash needs its sibling, as libtorrent counts it
    expect(uncleCount({ length: 2, proofLayers: 0 })).toBe(0)
    expect(uncleCount({ length: 2, proofLayers: 3 })).toBe(3)
    expect(uncleCount({ length: 512, proofLayers: 8 })).toBe(0) // the first log2(512) - 1 = 8 are covered by the hashes
    expect(uncleCount({ length: 512, proofLayers: 10 })).toBe(2)
  })
})

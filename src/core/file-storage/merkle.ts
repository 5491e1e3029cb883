/**
 * BEP 52 (BitTorrent v2) merkle trees, one per file: SHA-256 of each 16 KiB block of the file
 * (the last one may be shorter) are the leaves; the leaf layer is padded to a power of two with
 * zero hashes; each inner node is SHA-256 of its two children; the root is the file's `pieces
 * root`. The `piece layer` is the layer where one node covers one piece (`piece length` bytes).
 *
 * Layers are numbered from the leaves (0) up to the root (`treeHeight`). Here a layer is kept
 * sparse: only its nodes that cover some of the file's bytes, 32 bytes each; every node beyond
 * them covers only padding and equals `padHash(layer)`, so a 4 GiB file's layers never hold the
 * padding up to the next power of two.
 *
 * Leaves are hashed with WebCrypto (fast, hardware SHA-256 where the CPU has it, but a promise per
 * call); inner nodes with sha256Pair (synchronous; see sha256-pair.ts for why).
 */
import { sha256Pair } from './sha256-pair'

/** BEP 52: leaves are 16 KiB blocks. */
export const BLOCK_SIZE = 16 * 1024
/** SHA-256 digest size. */
export const HASH_SIZE = 32

/** Smallest power of two ≥ n (1 for n ≤ 1); exact for any safe integer. */
export function nextPowerOfTwo(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

/** log2 of a power of two. */
export function log2(powerOfTwo: number): number {
  let n = 0
  for (let p = 1; p < powerOfTwo; p *= 2) n++
  return n
}

/** 16 KiB blocks of a file (0 for an empty one). */
export function blockCount(fileLength: number): number {
  return Math.ceil(fileLength / BLOCK_SIZE)
}

/** Leaves of the file's tree: its blocks rounded up to a power of two. */
export function leafCount(fileLength: number): number {
  return nextPowerOfTwo(blockCount(fileLength))
}

/** The root's layer (0 when the file is one block). */
export function treeHeight(fileLength: number): number {
  return log2(leafCount(fileLength))
}

/** The layer whose nodes each cover one piece (0 for 16 KiB pieces). */
export function pieceLayerOf(pieceLength: number): number {
  return log2(pieceLength / BLOCK_SIZE)
}

/** Pieces of one file in a v2 torrent, where every file starts on a piece boundary. */
export function filePieceCount(fileLength: number, pieceLength: number): number {
  return Math.ceil(fileLength / pieceLength)
}

/**
 * Leaves under the hash a piece is checked against: a whole piece's blocks, or for a file no
 * longer than one piece, the file's own leaves (its one piece is checked against its root).
 */
export function pieceLeafCount(fileLength: number, pieceLength: number): number {
  return Math.min(pieceLength / BLOCK_SIZE, leafCount(fileLength))
}

const pads: Uint8Array[] = [new Uint8Array(HASH_SIZE)]

/** The hash of a node that covers only padding: the root of 2^layer zero leaves. */
export function padHash(layer: number): Uint8Array {
  for (let k = pads.length; k <= layer; k++) {
    const below = pads[k - 1] as Uint8Array
    const pad = new Uint8Array(HASH_SIZE)
    sha256Pair(below, 0, below, 0, pad, 0)
    pads.push(pad)
  }
  return pads[layer] as Uint8Array
}

/** The layer above a sparse layer: its pairs hashed, an odd last node paired with padding. */
export function parentLayer(hashes: Uint8Array, layer: number): Uint8Array {
  const count = hashes.length / HASH_SIZE
  const out = new Uint8Array(Math.ceil(count / 2) * HASH_SIZE)
  for (let i = 0; 2 * i < count; i++) {
    const left = 2 * i * HASH_SIZE
    if (2 * i + 1 < count) sha256Pair(hashes, left, hashes, left + HASH_SIZE, out, i * HASH_SIZE)
    else sha256Pair(hashes, left, padHash(layer), 0, out, i * HASH_SIZE)
  }
  return out
}

/**
 * The root of a subtree `width` nodes wide (a power of two) at `layer`, whose first nodes are
 * `hashes` and the rest padding.
 */
export function subtreeRoot(hashes: Uint8Array, layer: number, width: number): Uint8Array {
  if (hashes.length % HASH_SIZE !== 0 || hashes.length / HASH_SIZE > width) throw new RangeError('more hashes than the subtree is wide')
  let nodes = hashes
  let w = width
  let l = layer
  while (w > 1) {
    if (nodes.length === 0) return padHash(l + log2(w))
    nodes = parentLayer(nodes, l)
    l++
    w /= 2
  }
  return nodes.length === 0 ? padHash(l) : nodes.slice(0, HASH_SIZE)
}

/** SHA-256 of each 16 KiB block of `data` (the last may be shorter), 32 bytes each, in order. */
export async function hashBlocks(data: Uint8Array): Promise<Uint8Array> {
  const count = blockCount(data.length)
  const out = new Uint8Array(count * HASH_SIZE)
  const subtle = globalThis.crypto.subtle
  // all of a piece's blocks in flight at once: WebCrypto's cost is mostly per call (bench: v2-hashing)
  const digests: Promise<ArrayBuffer>[] = []
  for (let i = 0; i < count; i++) {
    const block = data.subarray(i * BLOCK_SIZE, Math.min(data.length, (i + 1) * BLOCK_SIZE))
    digests.push(subtle.digest('SHA-256', block as Uint8Array<ArrayBuffer>))
  }
  const results = await Promise.all(digests)
  results.forEach((digest, i) => out.set(new Uint8Array(digest), i * HASH_SIZE))
  return out
}

/**
 * The hash a piece's data is checked against: the root of its blocks' subtree (`leaves` from
 * pieceLeafCount), the blocks past the data being padding.
 */
export async function pieceHash(data: Uint8Array, leaves: number): Promise<Uint8Array> {
  return subtreeRoot(await hashBlocks(data), 0, leaves)
}

/** The piece layer (one hash per piece) of a file, from all its block hashes. */
export function pieceLayerFromBlocks(blockHashes: Uint8Array, pieceLength: number): Uint8Array {
  let layer = blockHashes
  for (let l = 0; l < pieceLayerOf(pieceLength); l++) layer = parentLayer(layer, l)
  return layer
}

/** A file's pieces root from its piece layer (a file longer than one piece). */
export function rootFromPieceLayer(pieceLayer: Uint8Array, pieceLength: number, fileLength: number): Uint8Array {
  const layer = pieceLayerOf(pieceLength)
  return subtreeRoot(pieceLayer, layer, Math.max(1, leafCount(fileLength) / 2 ** layer))
}

/** A file's pieces root from all its block hashes. */
export function rootFromBlocks(blockHashes: Uint8Array, fileLength: number): Uint8Array {
  return subtreeRoot(blockHashes, 0, leafCount(fileLength))
}

/** True when `pieceLayer` is exactly the piece layer of the file whose root is `root`. */
export function verifyPieceLayer(pieceLayer: Uint8Array, root: Uint8Array, pieceLength: number, fileLength: number): boolean {
  if (fileLength <= pieceLength || pieceLayer.length !== filePieceCount(fileLength, pieceLength) * HASH_SIZE) return false
  return equalBytes(rootFromPieceLayer(pieceLayer, pieceLength, fileLength), root)
}

/**
 * Every layer of a file's tree from `baseLayer` (whose sparse hashes are given) up to the root,
 * sparse: layers[k] is layer baseLayer + k. The last holds the root alone.
 */
export function buildLayers(baseHashes: Uint8Array, baseLayer: number, fileLength: number): Uint8Array[] {
  const layers = [baseHashes]
  for (let l = baseLayer; l < treeHeight(fileLength); l++) layers.push(parentLayer(layers[layers.length - 1] as Uint8Array, l))
  return layers
}

/** Node `index` of a sparse layer, or the padding hash past its end. */
export function nodeAt(layer: Uint8Array, layerIndex: number, index: number): Uint8Array {
  const at = index * HASH_SIZE
  return at < layer.length ? layer.subarray(at, at + HASH_SIZE) : padHash(layerIndex)
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

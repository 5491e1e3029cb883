/**
 * The hashes BEP 52's `hash request` asks for and `hashes` carries: `length` hashes of one layer
 * of a file's tree from `index`, then the uncle hashes (one per proof layer, from the bottom up)
 * that lead from their subtree to an ancestor the asker already trusts, usually the pieces root.
 *
 * A request's validity follows libtorrent (validate_hash_request) and BEP 52: the base layer is
 * below the root, `length` is a power of two of at most MAX_HASHES_PER_REQUEST (libtorrent asks for
 * one hash, the last of a file's piece layer, when a file has 512·k + 1 pieces),
 * `index` is a multiple of it, the range lies within the layer (padding included), and proof
 * layers do not reach past the root. The first log2(length) - 1 proof layers need no uncle (the
 * hashes themselves cover them), so an answer holds `length + uncleCount(request)` hashes.
 */
import { HASH_SIZE, equalBytes, leafCount, log2, nodeAt, subtreeRoot, treeHeight } from './merkle'
import { sha256Pair } from './sha256-pair'

/** libtorrent's cap on `length` (it covers a 128 MiB piece's blocks); BEP 52 says SHOULD NOT exceed 512. */
export const MAX_HASHES_PER_REQUEST = 8192

export interface HashRequest {
  /** The file's pieces root: which file's tree. */
  piecesRoot: Uint8Array
  /** Layer of the requested hashes, 0 = the 16 KiB blocks' hashes. */
  baseLayer: number
  /** First requested node of that layer. */
  index: number
  /** How many hashes of that layer. */
  length: number
  /** How many layers above the base layer the proof reaches. */
  proofLayers: number
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** log2(n) === n
}

/** Why `request` cannot be answered for a file of `fileLength` bytes, or null when it is valid. */
export function hashRequestProblem(request: HashRequest, fileLength: number): string | null {
  if (fileLength <= 0) return 'an empty file has no hash tree'
  const { baseLayer, index, length, proofLayers } = request
  const height = treeHeight(fileLength)
  if (!Number.isSafeInteger(baseLayer) || baseLayer < 0 || baseLayer >= height) return `base layer ${baseLayer} is not below the root (layer ${height})`
  if (!isPowerOfTwo(length) || length > MAX_HASHES_PER_REQUEST) return `length ${length} is not a power of two from 1 to ${MAX_HASHES_PER_REQUEST}`
  if (!Number.isSafeInteger(index) || index < 0 || index % length !== 0) return `index ${index} is not a multiple of the length ${length}`
  const width = leafCount(fileLength) / 2 ** baseLayer
  if (index + length > width) return `hashes ${index} to ${index + length - 1} are past the layer's ${width} nodes`
  if (!Number.isSafeInteger(proofLayers) || proofLayers < 0 || proofLayers >= height - baseLayer) return `${proofLayers} proof layers reach past the root`
  return null
}

/** Uncle hashes in the answer to a valid request. */
export function uncleCount(request: Pick<HashRequest, 'length' | 'proofLayers'>): number {
  return Math.max(0, request.proofLayers - (log2(request.length) - 1))
}

/** Proof layers that reach from `baseLayer` to the root of a file of `fileLength` bytes. */
export function proofLayersToRoot(baseLayer: number, fileLength: number): number {
  return treeHeight(fileLength) - baseLayer - 1
}

/**
 * The hashes answering a valid `request` (its base hashes, padding included, then its uncles),
 * from the file's sparse layers `layers[k]` = layer `lowestLayer + k` up to the root (see
 * buildLayers); null when the base layer is below the lowest layer known.
 */
export function answerHashRequest(request: HashRequest, layers: readonly Uint8Array[], lowestLayer: number): Uint8Array | null {
  const { baseLayer, index, length } = request
  const base = layers[baseLayer - lowestLayer]
  if (baseLayer < lowestLayer || !base) return null
  const uncles = uncleCount(request)
  const out = new Uint8Array((length + uncles) * HASH_SIZE)
  for (let i = 0; i < length; i++) out.set(nodeAt(base, baseLayer, index + i), i * HASH_SIZE)
  // the first uncle is the sibling of the requested hashes' own subtree root
  let layer = baseLayer + log2(length)
  let node = index / length
  for (let u = 0; u < uncles; u++, layer++, node = Math.floor(node / 2)) {
    const hashes = layers[layer - lowestLayer]
    if (!hashes) return null
    out.set(nodeAt(hashes, layer, node ^ 1), (length + u) * HASH_SIZE)
  }
  return out
}

/** The node an answer proves: its layer, its index there, and its hash computed from the answer. */
export interface ProvenNode {
  layer: number
  index: number
  hash: Uint8Array
}

/**
 * What a `hashes` answer proves, computed from its hashes: the subtree root of its base hashes,
 * folded with each uncle up to the top of its proof. `hashes` must hold exactly
 * `length + uncleCount(request)` hashes (the codec checks this).
 */
export function provenNode(request: HashRequest, hashes: Uint8Array): ProvenNode {
  const { baseLayer, index, length } = request
  const uncles = uncleCount(request)
  if (hashes.length !== (length + uncles) * HASH_SIZE) throw new RangeError('the answer holds the wrong number of hashes')
  let hash = subtreeRoot(hashes.subarray(0, length * HASH_SIZE), baseLayer, length)
  let layer = baseLayer + log2(length)
  let node = index / length
  for (let u = 0; u < uncles; u++, layer++, node = Math.floor(node / 2)) {
    const at = (length + u) * HASH_SIZE
    const parent = new Uint8Array(HASH_SIZE)
    if (node % 2 === 0) sha256Pair(hash, 0, hashes, at, parent, 0)
    else sha256Pair(hashes, at, hash, 0, parent, 0)
    hash = parent
  }
  return { layer, index: node, hash }
}

/** True when an answer to a valid `request` proves its hashes all the way to `piecesRoot`. */
export function verifyHashesToRoot(request: HashRequest, hashes: Uint8Array, fileLength: number): boolean {
  const top = provenNode(request, hashes)
  return top.layer === treeHeight(fileLength) && top.index === 0 && equalBytes(top.hash, request.piecesRoot)
}

/**
 * A file's piece layer fetched from peers (BEP 52): a torrent added by magnet link, or a .torrent
 * without `piece layers`, knows each file's pieces root only, and a piece of a file longer than
 * one piece is checked against the file's piece layer. The layer is asked for in chunks of at most
 * 512 hashes (BEP 52's "should not exceed", and libtorrent's own chunk), each with the uncle
 * hashes that prove it all the way to the pieces root, so every answer is checked on its own: one
 * peer's lie never mixes with another's truth.
 */
import { HASH_SIZE, filePieceCount, nextPowerOfTwo, pieceLayerOf } from '../file-storage/merkle'
import { proofLayersToRoot, verifyHashesToRoot, type HashRequest } from '../file-storage/merkle-proof'

/** Piece hashes asked for at once. */
export const LAYER_CHUNK = 512

/** What an answer to one of our requests did. */
export type LayerAnswer = 'added' | 'not asked' | 'bad proof'

export class PieceLayerFetch {
  readonly pieceCount: number
  private readonly layer: Uint8Array
  /** Requests still unanswered, by the index of their first hash. */
  private readonly missing = new Map<number, HashRequest>()

  constructor(readonly piecesRoot: Uint8Array, readonly fileLength: number, pieceLength: number) {
    this.pieceCount = filePieceCount(fileLength, pieceLength)
    if (this.pieceCount < 2) throw new RangeError('a file of one piece has no piece layer: its root is its piece\'s hash')
    this.layer = new Uint8Array(this.pieceCount * HASH_SIZE)
    const baseLayer = pieceLayerOf(pieceLength)
    const proofLayers = proofLayersToRoot(baseLayer, fileLength)
    for (let index = 0; index < this.pieceCount; index += LAYER_CHUNK) {
      // a power of two that covers the rest (the layer is padded to one), never one hash alone
      const length = Math.max(2, Math.min(LAYER_CHUNK, nextPowerOfTwo(this.pieceCount - index)))
      this.missing.set(index, { piecesRoot: piecesRoot, baseLayer, index, length, proofLayers })
    }
  }

  /** The requests still unanswered. */
  requests(): HashRequest[] {
    return [...this.missing.values()]
  }

  get complete(): boolean {
    return this.missing.size === 0
  }

  /** The whole layer, once complete. */
  pieceLayer(): Uint8Array | undefined {
    return this.complete ? this.layer : undefined
  }

  /**
   * Takes an answer (`hashes` as the `hashes` message carries them: the base hashes, then the
   * uncles) to a request like one of ours. 'bad proof' when it does not lead to the pieces root:
   * the peer lied. An answer to a request we did not make, or made and got already, is 'not asked'.
   */
  add(request: HashRequest, hashes: Uint8Array): LayerAnswer {
    const ours = this.missing.get(request.index)
    if (!ours || !sameRequest(ours, request)) return 'not asked'
    if (!verifyHashesToRoot(ours, hashes, this.fileLength)) return 'bad proof'
    // the hashes past the file's last piece are padding: proven, and not kept
    const count = Math.min(ours.length, this.pieceCount - ours.index)
    this.layer.set(hashes.subarray(0, count * HASH_SIZE), ours.index * HASH_SIZE)
    this.missing.delete(ours.index)
    return 'added'
  }
}

function sameRequest(a: HashRequest, b: HashRequest): boolean {
  return a.baseLayer === b.baseLayer && a.index === b.index && a.length === b.length && a.proofLayers === b.proofLayers &&
    a.piecesRoot.length === b.piecesRoot.length && a.piecesRoot.every((byte, i) => byte === b.piecesRoot[i])
}

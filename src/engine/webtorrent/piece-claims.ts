/**
 * Which torrent, and which of its pieces, a piece webtorrent just assembled is: the v2 checks of
 * engine/piece-hashing.ts are asked with webtorrent's Piece (torrent-piece 4, bundled), which knows
 * neither. webtorrent 3.0.21 checks a piece in a closure that holds its index, with no event or
 * option in between; so:
 *
 * - the torrent: a Piece's `sources` are the wires its blocks came from (read before its flush
 *   clears them), and each wire of a v2 or hybrid torrent is registered here on the torrent's
 *   public 'wire' event;
 * - the index: the Piece's place in the torrent's `pieces` (one Piece per piece still to download;
 *   webtorrent makes a new one for a piece that failed its check, and for every piece a re-check
 *   found missing), found by indexing that array again whenever a Piece is not yet known.
 */
import type { OwnPieceCheck } from '../piece-hashing'

/** A torrent whose pieces are checked by its own rules. */
export interface PieceClaimant {
  /** webtorrent's Torrent of it. */
  readonly torrent: object
  /** The check of piece `index`, or undefined to leave it to webtorrent's SHA-1 compare. */
  checkOf(index: number): OwnPieceCheck | undefined
}

interface Indexed {
  claimant: PieceClaimant
  index: number
}

export class PieceClaims {
  private readonly byWire = new WeakMap<object, PieceClaimant>()
  private readonly byPiece = new WeakMap<object, Indexed>()

  /** Pieces whose blocks come from `wire` are `claimant`'s. */
  addWire(wire: object, claimant: PieceClaimant): void {
    this.byWire.set(wire, claimant)
  }

  /** The check of a just-completed Piece (before its flush), or undefined for webtorrent's own. */
  claim(piece: object): OwnPieceCheck | undefined {
    const sources = (piece as { sources?: unknown }).sources
    const wire = Array.isArray(sources) ? sources[0] : undefined
    const claimant = typeof wire === 'object' && wire !== null ? this.byWire.get(wire) : undefined
    if (!claimant) return undefined
    const index = this.indexOf(piece, claimant)
    return index === undefined ? undefined : claimant.checkOf(index)
  }

  private indexOf(piece: object, claimant: PieceClaimant): number | undefined {
    const pieces = (claimant.torrent as { pieces?: unknown }).pieces
    if (!Array.isArray(pieces)) return undefined
    const known = this.byPiece.get(piece)
    if (known?.claimant === claimant && pieces[known.index] === piece) return known.index
    pieces.forEach((p: unknown, index) => {
      if (typeof p === 'object' && p !== null) this.byPiece.set(p, { claimant, index })
    })
    const found = this.byPiece.get(piece)
    return found?.claimant === claimant && pieces[found.index] === piece ? found.index : undefined
  }
}

import type { Availability } from '../../protocol/engine-events'

export type { Availability }

export interface PieceHolders {
  pieceCount: number
  /** Verified pieces of our own. */
  have(piece: number): boolean
  /** Pieces we want (not only in skipped files); all when not told. */
  wanted?(piece: number): boolean
  /** What each connected peer says it has. */
  peers: readonly { get(piece: number): boolean }[]
}

export function availability({ pieceCount, have, wanted, peers }: PieceHolders): Availability {
  let missing = 0
  let missingNowhere = 0
  let rarestMissing = Infinity
  let least = Infinity
  const counts = new Uint32Array(pieceCount)
  for (let piece = 0; piece < pieceCount; piece++) {
    let copies = have(piece) ? 1 : 0
    for (const peer of peers) if (peer.get(piece)) copies++
    counts[piece] = copies
    least = Math.min(least, copies)
    if (have(piece) || (wanted && !wanted(piece))) continue
    missing++
    if (copies === 0) missingNowhere++
    rarestMissing = Math.min(rarestMissing, copies)
  }
  let above = 0
  for (const copies of counts) if (copies > least) above++
  return {
    pieces: pieceCount,
    missing,
    missingNowhere,
    rarestMissing: missing ? rarestMissing : -1,
    distributedCopies: pieceCount ? least + above / pieceCount : 0,
  }
}

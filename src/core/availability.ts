/**
 * How available a torrent's pieces are among the peers it is connected to: what a person asking
 * "why is this slow?" or "why does it stop at 99%?" needs to see. `distributedCopies` is what
 * libtorrent and qBittorrent call availability: the copies of the rarest piece, plus the share of
 * pieces that have more copies than that (2.4 = every piece at least twice, 40% of them more).
 */
export interface Availability {
  pieces: number
  /** Pieces we still want and miss (wanted: not only in skipped files). */
  missing: number
  /** Of those, pieces no connected peer has: they cannot come until someone who has them connects. */
  missingNowhere: number
  /** Copies of the rarest missing piece among the peers (0 when some are nowhere); -1 when nothing is missing. */
  rarestMissing: number
  /** Over every piece, counting our own copy of the pieces we have. */
  distributedCopies: number
}

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

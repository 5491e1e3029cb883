import { describe, expect, it } from 'vitest'
import { availability } from '../../src/core/piece-selection/availability'

/** A peer that has the pieces listed. */
const peer = (...pieces: number[]) => ({ get: (piece: number) => pieces.includes(piece) })
const ours = (...pieces: number[]) => (piece: number) => pieces.includes(piece)

describe('availability', () => {
  it('counts the pieces we miss that no connected peer has', () => {
    const a = availability({ pieceCount: 4, have: ours(0), peers: [peer(0, 1), peer(1)] })
    expect(a).toMatchObject({ pieces: 4, missing: 3, missingNowhere: 2, rarestMissing: 0 })
  })

  it('gives the copies of the rarest missing piece once every piece is somewhere', () => {
    const a = availability({ pieceCount: 3, have: ours(), peers: [peer(0, 1, 2), peer(0, 1), peer(0)] })
    expect(a.missingNowhere).toBe(0)
    expect(a.rarestMissing).toBe(1)
  })

  it('is -1 for the rarest missing piece when nothing is missing', () => {
    expect(availability({ pieceCount: 2, have: ours(0, 1), peers: [] }).rarestMissing).toBe(-1)
  })

  it('does not count pieces of skipped files as missing', () => {
    const a = availability({ pieceCount: 4, have: ours(0), wanted: (piece) => piece < 2, peers: [] })
    expect(a.missing).toBe(1)
    expect(a.missingNowhere).toBe(1)
  })

  // libtorrent's distributed copies: the rarest piece's copies (ours counted) plus the share above that
  it('works out distributed copies as libtorrent does, counting our own copy', () => {
    // copies per piece: 2, 2, 3, 3
    const a = availability({ pieceCount: 4, have: ours(0, 1, 2, 3), peers: [peer(0, 1, 2, 3), peer(2, 3)] })
    expect(a.distributedCopies).toBe(2.5)
    expect(availability({ pieceCount: 2, have: ours(), peers: [peer(0)] }).distributedCopies).toBe(0.5)
  })

  it('is all zeros for a torrent without metadata yet', () => {
    expect(availability({ pieceCount: 0, have: ours(), peers: [peer(0)] })).toEqual({ pieces: 0, missing: 0, missingNowhere: 0, rarestMissing: -1, distributedCopies: 0 })
  })
})

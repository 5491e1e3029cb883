// src/engine/webtorrent/rarest-first.ts on webtorrent's own rarity map (the class its torrents use) and the
// bitfield package its torrents keep verified pieces in.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
// @ts-ignore -- no types: webtorrent's private rarity map (lib/rarity-map.js)
import RarityMap from 'webtorrent/lib/rarity-map.js'
import BitField from 'bitfield'
import { skipVerifiedPieces } from '../../src/engine/webtorrent/rarest-first'

const PIECES = 64

/** A torrent as the rarity map reads it: pieces, wires with their peers' bitfields, a verified bitfield. */
function torrentWithOneSeeder(): { torrent: { bitfield: BitField }; verified: BitField; map: { getRarestPiece(filter?: (i: number) => boolean): number } } {
  const seederPieces = new BitField(PIECES)
  for (let i = 0; i < PIECES; i++) seederPieces.set(i, true)
  const wire = Object.assign(new EventEmitter(), { peerPieces: seederPieces })
  const verified = new BitField(PIECES)
  const torrent = Object.assign(new EventEmitter(), { pieces: new Array(PIECES).fill({}), wires: [wire], bitfield: verified })
  const map = new RarityMap(torrent)
  Object.assign(torrent, { _rarityMap: map })
  return { torrent, verified, map }
}

describe('skipVerifiedPieces', () => {
  it('never offers a verified piece, and offers every missing one', () => {
    const { torrent, verified, map } = torrentWithOneSeeder()
    for (let i = 0; i < PIECES; i++) if (i % 4 !== 1) verified.set(i, true)
    skipVerifiedPieces(torrent)
    const offered = new Set<number>()
    for (let n = 0; n < 2000; n++) offered.add(map.getRarestPiece())
    expect([...offered].sort((a, b) => a - b)).toEqual(Array.from({ length: PIECES / 4 }, (_, k) => 4 * k + 1))
  })

  it('keeps webtorrent\'s filter, and answers -1 when only verified pieces pass it', () => {
    const { torrent, verified, map } = torrentWithOneSeeder()
    verified.set(10, true)
    verified.set(11, true)
    skipVerifiedPieces(torrent)
    expect(map.getRarestPiece((i) => i === 10 || i === 11)).toBe(-1)
    expect(map.getRarestPiece((i) => i >= 10 && i <= 12)).toBe(12)
  })

  it('wraps the map once however often it is called', () => {
    const { torrent, verified, map } = torrentWithOneSeeder()
    skipVerifiedPieces(torrent)
    const once = map.getRarestPiece
    skipVerifiedPieces(torrent)
    expect(map.getRarestPiece).toBe(once)
    for (let i = 0; i < PIECES; i++) verified.set(i, true)
    expect(map.getRarestPiece()).toBe(-1)
  })
})

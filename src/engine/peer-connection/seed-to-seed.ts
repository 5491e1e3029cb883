/**
 * Both ends seeding: nothing to exchange. webtorrent chokes such a peer (wire.isSeeder) but keeps
 * the connection, and through the bridge each connection holds one of the page's streams (300 at
 * most): with a library of seeding torrents they ran out (150 torrents seeding from one seeder held
 * all 300 and the next downloads got no peer; docs/BENCHMARKS.md, "Scale: the page"). libtorrent
 * and qBittorrent close such connections too.
 */
export interface SeedWire {
  readonly destroyed?: boolean
  /** Set by webtorrent from the peer's bitfield, haves and have-all. */
  readonly isSeeder?: boolean
  destroy(): void
  on(event: 'bitfield' | 'have' | 'have-all', listener: () => void): unknown
}

/** Closes `wire` whenever the peer and we both have every piece: now, and after each of its bitfield or haves. */
export function closeWhenBothSeed(wire: SeedWire, weSeed: () => boolean): void {
  // after webtorrent's own listeners for the same event have set isSeeder
  const check = () => queueMicrotask(() => closeIfBothSeed(wire, weSeed))
  wire.on('bitfield', check)
  wire.on('have', check)
  wire.on('have-all', check)
  check()
}

/** For the wires of a torrent that just completed. */
export function closeIfBothSeed(wire: SeedWire, weSeed: () => boolean): void {
  if (!wire.destroyed && wire.isSeeder === true && weSeed()) wire.destroy()
}

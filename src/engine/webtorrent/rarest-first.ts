/** The part of a webtorrent torrent read here (structural: the Node unit tests have no webtorrent types). */
interface VerifiedPieces {
  readonly bitfield?: { get(index: number): boolean }
}

/** webtorrent's private rarity map (lib/rarity-map.js): what its rarest-first selection asks. */
interface RarityMap {
  getRarestPiece(filter?: (index: number) => boolean): number
}

/**
 * Rarest-first without webtorrent's cost on verified pieces. Its selection asks the rarity map
 * for the rarest piece that passes a filter which does not exclude verified pieces; each answer
 * scans every piece, and a verified one is only refused after it is picked, so the picks (and
 * scans) grow as the download fills, with the square of the piece count: most of a second of
 * main thread per 128 MiB of 256 KiB pieces from one seeder, seconds at 256 MiB.
 * A verified piece is never requestable, so leaving it out changes no choice, only the waste.
 * Call once the torrent has its metadata (the map is made just before 'metadata').
 */
export function skipVerifiedPieces(torrent: VerifiedPieces): void {
  const map = (torrent as unknown as { _rarityMap?: RarityMap & { skipsVerified?: boolean } })._rarityMap
  if (!map || map.skipsVerified) return
  const rarest = map.getRarestPiece.bind(map)
  map.getRarestPiece = (filter) => {
    const bitfield = torrent.bitfield
    if (!bitfield) return rarest(filter)
    return rarest((index) => !bitfield.get(index) && (!filter || filter(index)))
  }
  map.skipsVerified = true
}

/** What a torrent contributes to our own tally of bytes stored. */
export interface StoredTally { downloaded: number }

/**
 * Bytes this site stores, as the storage line shows them: the browser's estimate, or our own tally
 * of the torrents' downloaded bytes when that is larger. The estimate counts OPFS at once in
 * Chromium (measured: a write shows in the next estimate(), from a page or a worker, handle open or
 * closed), but it is read only now and then, so right after a fast download it can still be the
 * figure from before the writes; the tally moves with every snapshot. The tally is a lower bound
 * (it leaves out the parts of skipped files that share a piece with wanted ones, and IndexedDB).
 */
export function storageUsed(estimateUsage: number, torrents: readonly StoredTally[]): number {
  return Math.max(estimateUsage, storedTally(torrents))
}

/** The torrents' downloaded bytes, summed. */
export function storedTally(torrents: readonly StoredTally[]): number {
  let tally = 0
  for (const torrent of torrents) tally += torrent.downloaded
  return tally
}

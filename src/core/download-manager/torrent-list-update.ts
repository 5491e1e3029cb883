import type { TorrentSnapshot } from '../../protocol/engine-events'

/**
 * The page's torrent list with one torrent's new snapshot: in its place if listed, else last (the
 * engine lists torrents in the order they were added). An event about one torrent ('added',
 * 'metadata', 'done') used to make the page re-list every torrent, a snapshot of each: with 1,000
 * torrents 5–20 ms per event, and a reload starts hundreds of them in a few tasks (issue 17).
 */
export function withTorrent(list: readonly TorrentSnapshot[], torrent: TorrentSnapshot): TorrentSnapshot[] {
  const at = list.findIndex((t) => t.infoHash === torrent.infoHash)
  if (at < 0) return [...list, torrent]
  const next = list.slice()
  next[at] = torrent
  return next
}

/** The list without a removed torrent. */
export function withoutTorrent(list: readonly TorrentSnapshot[], infoHash: string): TorrentSnapshot[] {
  return list.filter((t) => t.infoHash !== infoHash)
}

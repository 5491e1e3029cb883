import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import type { TrackerSnapshot } from '../../protocol/engine-events'

/**
 * bittorrent-tracker's WebSocketTracker, as webtorrent keeps one per WebSocket tracker of a
 * torrent (`torrent.discovery.tracker._trackers`). Private fields, read here only: webtorrent
 * has no public API for a tracker's state, and its events do not say which tracker they are of.
 */
interface WebSocketTrackerInternals {
  announceUrl?: string
  destroyed?: boolean
  /** Its socket failed and a reconnect is scheduled. */
  reconnecting?: boolean
  socket?: { connected?: boolean } | null
}

/** A running torrent's WebSocket trackers (WebRTC peers) and whether each is connected. */
export function webSocketTrackers(torrent: Torrent): TrackerSnapshot[] {
  const internals = torrent as unknown as { discovery?: { tracker?: { _trackers?: WebSocketTrackerInternals[] } | null } | null }
  const trackers = internals.discovery?.tracker?._trackers ?? []
  return trackers.filter((t) => t.announceUrl && !t.destroyed).map((t): TrackerSnapshot => {
    const state = t.socket?.connected ? 'working' : t.reconnecting ? 'error' : 'announcing'
    return { url: t.announceUrl!, state, message: state === 'error' ? 'cannot connect; trying again' : '', peers: -1, seeders: -1, leechers: -1 }
  })
}

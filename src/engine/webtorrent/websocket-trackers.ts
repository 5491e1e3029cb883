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

/**
 * What a torrent adds to its WebSocket tracker announces (webtorrent's `getAnnounceOpts`). Each
 * announce carries `numwant` WebRTC offers, at most 5, each a new RTCPeerConnection kept up to
 * 50 s for an answer: a page seeding 900 torrents made thousands of them a minute, most of its
 * main thread's work (docs/BENCHMARKS.md, "Scale: the page"). A complete torrent asks for none:
 * the tracker still lists it, and forwards to it the offers of the leechers that announce, which
 * it answers; as on the bridge's side, where a seeding torrent dials no one and waits for peers.
 */
export function webSocketAnnounceOpts(complete: () => boolean): () => { numwant?: number } {
  return () => (complete() ? { numwant: 0 } : {})
}

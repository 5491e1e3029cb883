import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'

/**
 * Hands `patch` bittorrent-tracker's WebSocketTracker prototype, reached through one of the
 * torrent's trackers (`torrent.discovery.tracker._trackers`, private): now if its trackers exist,
 * else once its discovery starts (it starts once the torrent listens or has its metadata). No
 * public API reaches the class: webtorrent's prebuilt module does not export it. `patch` is called
 * for every tracker of every torrent, with the tracker, and must patch a prototype only once.
 */
export function withWebSocketTrackerPrototype(torrent: Torrent, patch: (proto: object, tracker: object) => void): void {
  const internals = torrent as unknown as { _startDiscovery?: () => void }
  if (patchFrom(torrent, patch) || typeof internals._startDiscovery !== 'function') return
  const start = internals._startDiscovery
  internals._startDiscovery = function (this: Torrent) {
    start.call(this)
    patchFrom(this, patch)
  }
}

/** Patches the prototype of each of the torrent's trackers; true once its trackers exist. */
function patchFrom(torrent: Torrent, patch: (proto: object, tracker: object) => void): boolean {
  const internals = torrent as unknown as { discovery?: { tracker?: { _trackers?: object[] } | null } | null }
  const trackers = internals.discovery?.tracker?._trackers
  if (!trackers) return false
  for (const tracker of trackers) patch(Object.getPrototypeOf(tracker) as object, tracker)
  return true
}

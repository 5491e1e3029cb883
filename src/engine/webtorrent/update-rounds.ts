import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'

/**
 * webtorrent schedules a request round (`_update`: an idle callback that walks every wire and
 * tops up its requests) for every block it receives, 64 per MiB: at tens of MB/s that was the
 * page's costliest script. One pending round does the same work, since a round reads the wires
 * as they are when it runs; so a torrent keeps at most one scheduled at a time.
 */
export function coalesceUpdateRounds(torrent: Torrent): void {
  // webtorrent itself runs rounds at once where there is no requestIdleCallback: leave those
  const { requestIdleCallback } = globalThis as { requestIdleCallback?: (fn: () => void, opts: { timeout: number }) => unknown }
  if (typeof requestIdleCallback !== 'function') return
  let scheduled = false
  const round = () => {
    scheduled = false
    torrent._updateWireWrapper()
  }
  torrent._update = () => {
    if (scheduled) return
    scheduled = true
    // the timeout is webtorrent's own: a busy page still tops up its requests within 250 ms
    requestIdleCallback(round, { timeout: 250 })
  }
}

/**
 * Whether a torrent's minute stats refresh is worth a frame. The bridge keeps the stats it was
 * last sent and reads them at each announce its own clock makes (bridge/tracker-communication/
 * tracker-worker.ts); a 'none' frame only replaces them and starts nothing
 * (bridge/api-gateway/announce-gate.ts), so a refresh that says what the bridge already holds
 * changes nothing there. With 1,000 torrents mostly seeding idle or paused, most refreshes are such.
 */
export interface AnnouncedState {
  trackers: readonly string[]
  dht: boolean
  uploaded: number
  downloaded: number
  left: number
}

export function sameAnnouncedState(a: AnnouncedState, b: AnnouncedState): boolean {
  return a.uploaded === b.uploaded && a.downloaded === b.downloaded && a.left === b.left && a.dht === b.dht &&
    a.trackers.length === b.trackers.length && a.trackers.every((url, i) => url === b.trackers[i])
}

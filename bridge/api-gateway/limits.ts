/** Caps and timeouts of the bridge, and the token bucket that enforces dial rates. */

export interface BridgeLimits {
  maxSessions: number
  maxStreamsPerSession: number
  maxStreamsTotal: number
  /**
   * Torrents one page may register (announced by the bridge's trackers and DHT). Not the stream cap:
   * a library of seeding torrents holds no connection, and a desktop client announces all of them.
   */
  maxTorrentsPerSession: number
  /** Sustained TCP dials per second per page, and the burst above it. */
  dialsPerSecond: number
  dialBurst: number
  dialsPerSecondTotal: number
  /** Bytes the bridge holds for one page (queued to TCP or to the WebSocket), and for all pages. */
  maxBufferedPerSession: number
  maxBufferedTotal: number
  /** Time for the page's (or an inbound peer's) handshake to arrive, and for a dialed peer's once its connection opened. */
  handshakeTimeoutMs: number
  connectTimeoutMs: number
  /** A stream with no bytes either way for this long is closed (BitTorrent keep-alives are every 2 min). */
  streamIdleMs: number
  /** Inbound TCP connections still waiting for their handshake. */
  maxPendingInbound: number
  /** WebSocket ping interval; a page that misses a pong is dropped. */
  heartbeatMs: number
  /** Re-announce interval for the DHT (trackers use their own `interval`, clamped: core/tracker-communication/announce-schedule.ts). */
  dhtAnnounceMs: number
  /** Inbound TCP connections still waiting for their handshake from one address. */
  maxPendingInboundPerAddress: number
  /** Bytes a page may send on a stream before its connection opens (a handshake is 68). */
  maxPreOpenBytesPerStream: number
  /**
   * Bytes queued to a page's WebSocket past which the bridge stops reading that page's frames
   * (a page that does not read what it asked for); twice this closes the session at once.
   */
  maxQueuedToPage: number
  /** A session held back (over its caps) for this long is closed. */
  maxPausedMs: number
  /** ANNOUNCE frames per second per page, and the burst above it. */
  announcesPerSecond: number
  announceBurst: number
  /** Tracker requests in flight at once per page, and for the whole bridge. */
  maxTrackerRequestsPerSession: number
  maxTrackerRequestsTotal: number
  /** Tracker requests started per second per page, and for the whole bridge. */
  trackerRequestsPerSecond: number
  trackerRequestsPerSecondTotal: number
  /** Goodbyes ('stopped' as a torrent or a page goes) out at once per page and in all; more are not sent. */
  maxTrackerGoodbyesPerSession: number
  maxTrackerGoodbyesTotal: number
  /** A stream whose peer has taken none of the bytes written to it for this long is closed. */
  writeStallMs: number
  /** Web seed range fetches in flight at once per page, and for the whole bridge. */
  maxWebSeedFetchesPerSession: number
  maxWebSeedFetchesTotal: number
  /** Web seed fetches started per second per page, and for the whole bridge. */
  webSeedFetchesPerSecond: number
  webSeedFetchesPerSecondTotal: number
  /** Web seed fetches a page may have waiting and in flight together; more are answered Busy. */
  maxWebSeedFetchesPendingPerSession: number
}

export const DEFAULT_LIMITS: BridgeLimits = {
  maxSessions: 32,
  maxStreamsPerSession: 300,
  maxStreamsTotal: 2000,
  // issue 17's library of 1,000 torrents with room to spare; each costs a map entry and, once
  // announced, its trackers' timers and a DHT announce, both under the announce and request rates
  maxTorrentsPerSession: 5000,
  dialsPerSecond: 20,
  dialBurst: 40,
  dialsPerSecondTotal: 100,
  maxBufferedPerSession: 16 * 1024 * 1024,
  maxBufferedTotal: 128 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  streamIdleMs: 5 * 60_000,
  maxPendingInbound: 64,
  heartbeatMs: 30_000,
  dhtAnnounceMs: 15 * 60_000,
  maxPendingInboundPerAddress: 4,
  maxPreOpenBytesPerStream: 64 * 1024,
  maxQueuedToPage: 4 * 1024 * 1024,
  maxPausedMs: 60_000,
  // a page refreshes each torrent's stats once a minute and sends events as they happen
  announcesPerSecond: 20,
  announceBurst: 600,
  maxTrackerRequestsPerSession: 8,
  maxTrackerRequestsTotal: 32,
  trackerRequestsPerSecond: 20,
  trackerRequestsPerSecondTotal: 50,
  maxTrackerGoodbyesPerSession: 16,
  maxTrackerGoodbyesTotal: 64,
  writeStallMs: 30_000,
  // webtorrent asks a web seed for at most 4 ranges at once; a piece across many small files is many fetches
  maxWebSeedFetchesPerSession: 8,
  maxWebSeedFetchesTotal: 64,
  webSeedFetchesPerSecond: 50,
  webSeedFetchesPerSecondTotal: 200,
  maxWebSeedFetchesPendingPerSession: 64,
}

/** Classic token bucket; `now` is injectable so tests do not wait. */
export class TokenBucket {
  private tokens: number
  private last: number
  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.tokens = burst
    this.last = now()
  }

  take(): boolean {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate)
    this.last = t
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

/**
 * HTTP and UDP tracker announces for one page's torrent: its tracker list, one TrackerWorker per
 * tracker URL (tracker-worker.ts), each with its own state for the page's tracker list and its own
 * clock (core/tracker-communication/announce-schedule.ts: intervals clamped, failures backed off, events spaced). Every
 * request resolves the tracker's name afresh, checks each address against the destination policy
 * and connects to the checked one (checked-address.ts), within the page's and the bridge's request
 * slots. Nothing a tracker sends can throw out of here: an answer is parsed by
 * core/tracker-communication/tracker-response.ts, and anything that goes wrong ends as that tracker's 'error' state and
 * a notice.
 */
import type { AnnounceEvent, PeerAddress, TrackerFrame } from '../../src/protocol/bridge-frames'
import type { Resolver } from '../api-gateway/checked-address'
import type { Outgoing } from '../peer-connection/outgoing'
import type { Cidr } from '../api-gateway/policy'
import type { RequestSlots } from '../api-gateway/request-slots'
import { TrackerWorker } from './tracker-worker'

export interface AnnounceStats { uploaded: number; downloaded: number; left: number }

/** One tracker's state for the page's tracker list: a TRACKER frame's body. */
export type TrackerStatus = Omit<TrackerFrame, 'type' | 'infoHash'>

export interface TrackerAnnouncerOptions {
  infoHash: string
  peerId: string
  peerPort: number
  allowNet: readonly Cidr[]
  /** How tracker names are resolved (the system's resolver unless a test stands in for DNS). */
  resolve?: Resolver
  /** Directly, from an interface, or through the proxy (outgoing.ts); direct when absent. */
  outgoing?: Outgoing
  /** The page's request slots (themselves within the bridge's). */
  slots: RequestSlots
  /** Slots for goodbyes ('stopped' as a torrent or its page goes), taken without waiting. */
  goodbyes: RequestSlots
  stats: () => AnnounceStats
  onPeers(peers: PeerAddress[]): void
  onNotice(message: string): void
  /** A tracker's state changed. */
  onTracker(status: TrackerStatus): void
  /** A request ended (for the metrics). */
  onResult?(result: 'answered' | 'failed' | 'refused'): void
}

/** Why a tracker URL cannot be announced to at all (its scheme), or null. */
export function unusableTracker(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a URL'
  }
  if (!['http:', 'https:', 'udp:'].includes(parsed.protocol)) return 'the bridge announces to http, https and udp trackers only'
  if (parsed.protocol === 'udp:' && !parsed.port) return 'a udp tracker URL needs a port'
  return null
}

export class TrackerAnnouncer {
  private readonly workers = new Map<string, TrackerWorker>()
  private urls: string[] = []
  private destroyed = false

  constructor(private readonly opts: TrackerAnnouncerOptions) {}

  /** Announces `event` to `urls`; a new list replaces the old one (the new trackers start). */
  announce(urls: readonly string[], event: AnnounceEvent): void {
    if (this.destroyed) return
    const sameList = urls.length === this.urls.length && urls.every((u, i) => u === this.urls[i])
    if (!sameList) {
      this.urls = [...urls]
      for (const [url, worker] of this.workers) {
        if (!urls.includes(url)) {
          worker.retire(false)
          this.workers.delete(url)
        }
      }
      for (const url of urls) {
        // a tracker that never heard of us needs no goodbye
        if (this.workers.has(url) || event === 'stopped') continue
        const unusable = unusableTracker(url)
        if (unusable) {
          this.opts.onNotice(`tracker refused: ${url}: ${unusable}`)
          this.opts.onTracker({ url, state: 'refused', message: unusable, peers: 0, seeders: -1, leechers: -1 })
          continue
        }
        // a tracker new to the list starts, whatever brought it (a magnet's metadata, an edit); its
        // first announce carries the stats (a complete torrent is a seeder from the start)
        this.workers.set(url, new TrackerWorker(url, this.opts, 'started'))
      }
      if (event === 'none') return
    }
    // 'none' and a repeated 'started' only refresh the stats (read at the next announce):
    // announcing now would ignore the interval the tracker asked for
    if (event === 'completed' || event === 'stopped') for (const worker of this.workers.values()) worker.event(event)
    else if (event === 'started') for (const worker of this.workers.values()) worker.restart()
  }

  /** Adds each tracker's state to `into` (the metrics' tally). */
  countStates(into: Record<string, number>): void {
    for (const worker of this.workers.values()) into[worker.state] = (into[worker.state] ?? 0) + 1
  }

  /**
   * Ends every tracker's work; a 'stopped' still owed goes out first, within the goodbye budget.
   * `goodbye`: the page went without saying 'stopped' (a closed tab): every tracker told
   * 'started' is owed one.
   */
  destroy(goodbye = false): void {
    this.destroyed = true
    for (const worker of this.workers.values()) worker.retire(goodbye)
    this.workers.clear()
  }
}

/**
 * HTTP and UDP tracker announces for one page's torrent: one TrackerWorker per tracker URL, each
 * with its own state for the page's tracker list and its own clock (core/announce-schedule.ts:
 * intervals clamped, failures backed off, events spaced). Every request resolves the tracker's
 * name afresh, checks each address against the destination policy and connects to the checked
 * one (checked-address.ts), within the page's and the bridge's request slots. Nothing a tracker
 * sends can throw out of here: an answer is parsed by core/tracker-response.ts, and anything that
 * goes wrong ends as that tracker's 'error' state and a notice.
 */
import { eventWait, nextAnnounceDelay, remember, retryDelay } from '../src/core/announce-schedule'
import type { AnnounceAnswer, TrackerFailure } from '../src/core/tracker-response'
import type { AnnounceEvent, PeerAddress, TrackerFrame } from '../src/protocol/bridge-frames'
import { RefusedError, type Resolver } from './checked-address'
import type { Cidr } from './policy'
import type { RequestSlots } from './request-slots'
import { httpAnnounce, type AnnounceParams, type TrackerRequestContext } from './tracker-http'
import { udpAnnounce } from './tracker-udp'

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
  /** The page's request slots (themselves within the bridge's). */
  slots: RequestSlots
  stats: () => AnnounceStats
  onPeers(peers: PeerAddress[]): void
  onNotice(message: string): void
  /** A tracker's state changed. */
  onTracker(status: TrackerStatus): void
}

/** Peers asked for in each announce (BEP 3's usual numwant). */
const NUMWANT = 80

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
          worker.destroy()
          this.workers.delete(url)
        }
      }
      for (const url of urls) {
        if (this.workers.has(url)) continue
        const unusable = unusableTracker(url)
        if (unusable) {
          this.opts.onNotice(`tracker refused: ${url}: ${unusable}`)
          this.opts.onTracker({ url, state: 'refused', message: unusable, peers: 0, seeders: -1, leechers: -1 })
          continue
        }
        // a tracker new to the list starts, whatever brought it (a magnet's metadata, an edit)
        this.workers.set(url, new TrackerWorker(url, this.opts, event === 'none' ? 'started' : event))
      }
      if (event === 'none' || event === 'started') return
    }
    // 'none' and a repeated 'started' only refresh the stats (read at the next announce):
    // announcing now would ignore the interval the tracker asked for
    if (event === 'completed' || event === 'stopped') for (const worker of this.workers.values()) worker.event(event)
    else if (event === 'started') for (const worker of this.workers.values()) worker.restart()
  }

  /** Ends every tracker's work; a 'stopped' still owed goes out first (a tracker should hear goodbye). */
  destroy(): void {
    this.destroyed = true
    for (const worker of this.workers.values()) worker.retire()
    this.workers.clear()
  }
}

const EVENT_RANK: Record<AnnounceEvent, number> = { none: 0, started: 1, completed: 2, stopped: 3 }

/** One tracker of one torrent: its clock, its state, its requests one at a time. */
class TrackerWorker {
  private readonly status: TrackerStatus
  private timer: NodeJS.Timeout | null = null
  private pending: AnnounceEvent | null
  private running = false
  /** An event came while a request was out: it goes once that one is done, not at the next interval. */
  private wakeAfterRun = false
  /** The event of the request out now. */
  private sending: AnnounceEvent | null = null
  /** Ending once the goodbye is out. */
  private retiring = false
  /** When the latest requests went out (for the event budget). */
  private recent: number[] = []
  private failures = 0
  private stopped = false
  private destroyed = false
  private trackerId: Uint8Array | null = null
  private toldDropped = false
  private readonly abort = new AbortController()

  constructor(private readonly url: string, private readonly opts: TrackerAnnouncerOptions, event: AnnounceEvent) {
    this.status = { url, state: 'announcing', message: '', peers: 0, seeders: -1, leechers: -1 }
    this.pending = event
    this.report()
    this.schedule(0)
  }

  /** An event to send as soon as the spacing between requests allows; a stronger one replaces a weaker. */
  event(event: AnnounceEvent): void {
    if (this.destroyed || (this.stopped && event !== 'started')) return
    if (this.pending === null || EVENT_RANK[event] >= EVENT_RANK[this.pending]) this.pending = event
    if (this.running) this.wakeAfterRun = true
    else this.schedule(eventWait(Date.now(), this.recent))
  }

  /** 'started' again: only a tracker that was told 'stopped' needs to hear it. */
  restart(): void {
    if (this.stopped) {
      this.stopped = false
      this.event('started')
    }
  }

  /** Sends an owed 'stopped' now (whatever the spacing) and then ends; ends at once otherwise. */
  retire(): void {
    if (this.destroyed || this.retiring) return
    const owesGoodbye = this.pending === 'stopped' || (this.running && this.sending === 'stopped')
    if (!owesGoodbye) return this.destroy()
    this.retiring = true
    if (!this.running) {
      if (this.timer) clearTimeout(this.timer)
      this.timer = null
      void this.run()
    }
  }

  destroy(): void {
    this.destroyed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.abort.abort()
  }

  private schedule(ms: number): void {
    if (this.destroyed) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.run()
    }, ms)
    this.timer.unref()
  }

  private async run(): Promise<void> {
    if (this.destroyed || this.running) return
    this.running = true
    this.wakeAfterRun = false
    const event = this.pending ?? 'none'
    this.pending = null
    this.sending = event
    const release = await this.opts.slots.acquire()
    try {
      if (this.destroyed) return
      this.recent = remember(this.recent, Date.now())
      if (this.status.state !== 'announcing' && this.failures === 0 && event !== 'none') {
        this.status.state = 'announcing'
        this.report()
      }
      const answer = await this.request(event)
      if (this.destroyed) return
      if (answer.type === 'failure') this.failed(answer.reason, event)
      else this.answered(answer, event)
    } catch (err) {
      if (!this.destroyed) this.failed((err as Error).message, event, err instanceof RefusedError)
    } finally {
      release()
      this.running = false
      this.sending = null
    }
    if (this.retiring) return this.destroy()
    if (this.wakeAfterRun && !this.destroyed) this.schedule(eventWait(Date.now(), this.recent))
  }

  private request(event: AnnounceEvent): Promise<AnnounceAnswer | TrackerFailure> {
    const stats = this.opts.stats()
    const params: AnnounceParams = {
      infoHash: Buffer.from(this.opts.infoHash, 'hex'),
      peerId: Buffer.from(this.opts.peerId, 'hex'),
      port: this.opts.peerPort,
      uploaded: stats.uploaded,
      downloaded: stats.downloaded,
      left: stats.left,
      event,
      numwant: event === 'stopped' ? 0 : NUMWANT,
      trackerId: this.trackerId,
    }
    const ctx: TrackerRequestContext = { allowNet: this.opts.allowNet, signal: this.abort.signal, ...(this.opts.resolve ? { resolve: this.opts.resolve } : {}) }
    return this.url.startsWith('udp:') ? udpAnnounce(this.url, params, ctx) : httpAnnounce(this.url, params, ctx)
  }

  private answered(answer: AnnounceAnswer, event: AnnounceEvent): void {
    this.failures = 0
    if (answer.trackerId) this.trackerId = answer.trackerId
    Object.assign(this.status, {
      state: 'working', message: answer.warning ?? '', peers: answer.peers.length, seeders: answer.complete, leechers: answer.incomplete,
    })
    this.report()
    if (answer.dropped > 0 && !this.toldDropped) {
      this.toldDropped = true // once: a tracker that sends junk sends it at every announce
      this.opts.onNotice(`tracker ${this.url}: left out ${answer.dropped} peer entries that were not usable addresses`)
    }
    if (event === 'stopped') {
      this.stopped = true
      return
    }
    if (answer.peers.length) this.opts.onPeers(answer.peers)
    this.schedule(nextAnnounceDelay(answer.interval, answer.minInterval) * 1000)
  }

  private failed(reason: string, event: AnnounceEvent, refused = false): void {
    this.failures++
    Object.assign(this.status, { state: refused ? 'refused' : 'error', message: reason, peers: 0 })
    this.report()
    this.opts.onNotice(refused ? `tracker refused: ${this.url}: ${reason}` : `tracker ${this.url}: ${reason}`)
    if (event === 'stopped') {
      this.stopped = true // a goodbye is not worth retrying
      return
    }
    // the event is still owed (a tracker that missed 'started' does not know us)
    if (event !== 'none' && (this.pending === null || EVENT_RANK[event] > EVENT_RANK[this.pending])) this.pending = event
    this.schedule(retryDelay(this.failures) * 1000)
  }

  private report(): void {
    if (!this.retiring) this.opts.onTracker({ ...this.status })
  }
}

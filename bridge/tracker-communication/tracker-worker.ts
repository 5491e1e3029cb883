/**
 * One tracker of one page's torrent (see tracker-announcer.ts): its clock, its state for the
 * page's tracker list, its requests one at a time, and the goodbye ('stopped') it may be owed.
 */
import { eventWait, nextAnnounceDelay, remember, retryDelay } from '../../src/core/tracker-communication/announce-schedule'
import type { AnnounceAnswer, TrackerFailure } from '../../src/core/tracker-communication/tracker-response'
import type { AnnounceEvent } from '../../src/protocol/bridge-frames'
import { RefusedError } from '../api-gateway/checked-address'
import type { TrackerAnnouncerOptions, TrackerStatus } from './tracker-announcer'
import { httpAnnounce, type AnnounceParams, type TrackerRequestContext } from './tracker-http'
import { udpAnnounce } from './tracker-udp'

/** Peers asked for in each announce (BEP 3's usual numwant). */
const NUMWANT = 80

const EVENT_RANK: Record<AnnounceEvent, number> = { none: 0, started: 1, completed: 2, stopped: 3 }
/** A goodbye ('stopped' as a torrent or its page goes) gets one try, this long, DNS included. */
const GOODBYE_TIMEOUT_MS = 5000

/** One tracker of one torrent: its clock, its state, its requests one at a time. */
export class TrackerWorker {
  private readonly status: TrackerStatus
  private timer: NodeJS.Timeout | null = null
  private pending: AnnounceEvent | null
  private running = false
  /** An event came while a request was out: it goes once that one is done, not at the next interval. */
  private wakeAfterRun = false
  /** The event of the request out now, and its own abort (each request has one: see TrackerRequestContext). */
  private sending: AnnounceEvent | null = null
  private current: AbortController | null = null
  /** Ending once the goodbye is out; the goodbye's slot (taken without waiting, or none is sent). */
  private retiring: (() => void) | null = null
  /** When the latest requests went out (for the event budget). */
  private recent: number[] = []
  private failures = 0
  /** The tracker was told 'started' (or is being told): it knows us, and may be owed a goodbye. */
  private announced = false
  private stopped = false
  private destroyed = false
  private trackerId: Uint8Array | null = null
  private toldDropped = false

  constructor(private readonly url: string, private readonly opts: TrackerAnnouncerOptions, event: AnnounceEvent) {
    this.status = { url, state: 'announcing', message: '', peers: 0, seeders: -1, leechers: -1 }
    this.pending = event
    this.report()
    this.schedule(0)
  }

  get state(): TrackerStatus['state'] {
    return this.status.state
  }

  /**
   * An event to send as soon as the spacing between requests allows: a stronger one replaces a
   * weaker, and 'started' replaces a 'stopped' not yet sent (the torrent was resumed).
   */
  event(event: AnnounceEvent): void {
    if (this.destroyed || this.retiring) return
    if (this.stopped && event !== 'started') return
    if (this.pending === null || EVENT_RANK[event] >= EVENT_RANK[this.pending] || (event === 'started' && this.pending === 'stopped')) this.pending = event
    if (this.running) this.wakeAfterRun = true
    else this.schedule(eventWait(Date.now(), this.recent))
  }

  /** 'started' again: a tracker told (or being told) 'stopped' needs to hear it. */
  restart(): void {
    if (this.stopped || this.pending === 'stopped' || this.sending === 'stopped') this.event('started')
  }

  /**
   * Ends this tracker's work. A goodbye is owed when a 'stopped' waits, or (`goodbye`, the page
   * went) when the tracker was told 'started' and not 'stopped': it gets one try of
   * GOODBYE_TIMEOUT_MS if a goodbye slot is free at once (bounded per page and for the bridge, so a
   * page that registers and drops torrents in a loop cannot leave a backlog), and none otherwise.
   */
  retire(goodbye: boolean): void {
    if (this.destroyed || this.retiring) return
    const owed = this.pending === 'stopped' || this.sending === 'stopped' || (goodbye && this.announced && !this.stopped)
    const slot = owed ? this.opts.goodbyes.tryAcquire() : null
    if (!slot) return this.destroy()
    this.retiring = slot
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.sending === 'stopped') return // it is going now; the worker ends with it
    this.pending = 'stopped'
    this.current?.abort() // whatever else is out is not worth waiting for
    if (!this.running) void this.goodbye()
  }

  destroy(): void {
    this.destroyed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.current?.abort()
    this.retiring?.()
    this.retiring = null
  }

  private schedule(ms: number): void {
    if (this.destroyed || this.retiring) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.run()
    }, ms)
    this.timer.unref()
  }

  private async run(): Promise<void> {
    if (this.destroyed || this.running || this.retiring) return
    this.running = true
    this.wakeAfterRun = false
    const event = this.pending ?? 'none'
    this.pending = null
    this.sending = event
    const current = new AbortController()
    this.current = current
    let release: (() => void) | null = null
    try {
      release = await this.opts.slots.acquire(current.signal)
      this.recent = remember(this.recent, Date.now())
      if (event === 'started') {
        this.announced = true
        this.stopped = false
      }
      if (this.status.state !== 'announcing' && this.failures === 0 && event !== 'none') {
        this.status.state = 'announcing'
        this.report()
      }
      const answer = await this.request(event, current.signal)
      if (!current.signal.aborted) {
        if (answer.type === 'failure') this.failed(answer.reason, event)
        else this.answered(answer, event)
      }
    } catch (err) {
      if (!current.signal.aborted) this.failed((err as Error).message, event, err instanceof RefusedError)
    } finally {
      release?.()
      this.running = false
      this.sending = null
      this.current = null
    }
    if (this.retiring) {
      // a goodbye asked for while this request was out goes now; one that was this request is done
      if (this.pending === 'stopped' && event !== 'stopped') void this.goodbye()
      else this.destroy()
      return
    }
    if (this.wakeAfterRun && !this.destroyed) this.schedule(eventWait(Date.now(), this.recent))
  }

  /** The one try of a goodbye, outside the request slots (it holds a goodbye slot instead), then the end. */
  private async goodbye(): Promise<void> {
    if (this.destroyed) return
    this.running = true
    const current = new AbortController()
    this.current = current
    const deadline = setTimeout(() => current.abort(), GOODBYE_TIMEOUT_MS)
    try {
      await this.request('stopped', current.signal)
    } catch {
      // a goodbye that fails is not retried
    } finally {
      clearTimeout(deadline)
      this.running = false
      this.current = null
      this.destroy()
    }
  }

  private request(event: AnnounceEvent, signal: AbortSignal): Promise<AnnounceAnswer | TrackerFailure> {
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
    const ctx: TrackerRequestContext = {
      allowNet: this.opts.allowNet, signal, ...(this.opts.resolve ? { resolve: this.opts.resolve } : {}), ...(this.opts.outgoing ? { outgoing: this.opts.outgoing } : {}),
    }
    return this.url.startsWith('udp:') ? udpAnnounce(this.url, params, ctx) : httpAnnounce(this.url, params, ctx)
  }

  private answered(answer: AnnounceAnswer, event: AnnounceEvent): void {
    this.opts.onResult?.('answered')
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
    this.opts.onResult?.(refused ? 'refused' : 'failed')
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

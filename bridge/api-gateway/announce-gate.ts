/**
 * How often a page's ANNOUNCE frames reach the trackers. Per page, frames pass a token bucket
 * (past it they are dropped, with a notice at most every NOTICE_MS). Per torrent, frames that
 * would make the bridge contact trackers or the DHT (a changed tracker list or DHT flag, or an event) take effect at once
 * while fewer than EVENT_BURST of them did in the last EVENT_WINDOW_S (core/tracker-communication/announce-schedule.ts);
 * past that, they are folded into one that goes when the window allows (the latest tracker list,
 * the latest event; a plain stats refresh never hides an event). Without this, a page that
 * alternated two tracker lists made every tracker start over at each frame.
 * Stats refreshes ('none' with the same list) cost nothing and pass at once.
 */
import type { AnnounceFrame } from '../../src/protocol/bridge-frames'
import { eventWait, remember } from '../../src/core/tracker-communication/announce-schedule'
import { TokenBucket } from './limits'

const NOTICE_MS = 10_000

interface TorrentGate {
  trackers: string[] | null
  dht: boolean | null
  /** When the latest frames that contacted trackers took effect. */
  recent: number[]
  pending: AnnounceFrame | null
  timer: NodeJS.Timeout | null
}

/** Torrents whose recent request times outlive their registration (see forget). */
const MAX_HISTORY = 4096

export class AnnounceGate {
  private readonly bucket: TokenBucket
  private readonly torrents = new Map<string, TorrentGate>()
  /**
   * The recent times of torrents this page let go: a page that registers, announces and
   * unregisters a torrent in a loop starts each turn with the budget the last one left.
   */
  private readonly history = new Map<string, number[]>()
  private lastNotice = -Infinity

  constructor(
    rate: number,
    burst: number,
    private readonly apply: (frame: AnnounceFrame) => void,
    private readonly notice: (infoHash: string, message: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.bucket = new TokenBucket(rate, burst, now)
  }

  offer(frame: AnnounceFrame): void {
    if (!this.bucket.take()) {
      const t = this.now()
      if (t - this.lastNotice >= NOTICE_MS) {
        this.lastNotice = t
        this.notice(frame.infoHash, 'announces are coming faster than the bridge takes them; some were dropped')
      }
      return
    }
    let gate = this.torrents.get(frame.infoHash)
    if (!gate) {
      gate = { trackers: null, dht: null, recent: this.history.get(frame.infoHash) ?? [], pending: null, timer: null }
      this.history.delete(frame.infoHash)
      this.torrents.set(frame.infoHash, gate)
    }
    // the DHT flag too: turning it on starts a DHT walk
    const same = gate.trackers !== null && frame.dht === gate.dht && frame.trackers.length === gate.trackers.length && frame.trackers.every((u, i) => u === gate!.trackers![i])
    if (frame.event === 'none' && same && !gate.pending) return this.apply(frame)
    if (gate.pending) {
      gate.pending = { ...frame, event: frame.event === 'none' ? gate.pending.event : frame.event }
      return
    }
    const wait = eventWait(this.now(), gate.recent)
    if (wait <= 0) return this.pass(gate, frame)
    gate.pending = frame
    gate.timer = setTimeout(() => {
      const g = gate!
      g.timer = null
      const next = g.pending
      g.pending = null
      if (next) this.pass(g, next)
    }, wait)
  }

  /**
   * The torrent is gone from the page: a frame still held back is dropped (it is held only when
   * the budget is spent, and a goodbye is not worth breaking it for), and its recent times are
   * kept a while for the next time it is registered.
   */
  forget(infoHash: string): void {
    const gate = this.torrents.get(infoHash)
    if (!gate) return
    if (gate.timer) clearTimeout(gate.timer)
    this.torrents.delete(infoHash)
    if (!gate.recent.length) return
    this.history.set(infoHash, gate.recent)
    // bounded: the oldest go first (a Map keeps insertion order); an entry is worth keeping for one window
    if (this.history.size > MAX_HISTORY) this.history.delete(this.history.keys().next().value!)
  }

  clear(): void {
    for (const infoHash of [...this.torrents.keys()]) this.forget(infoHash)
    this.history.clear()
  }

  private pass(gate: TorrentGate, frame: AnnounceFrame): void {
    gate.trackers = [...frame.trackers]
    gate.dht = frame.dht
    gate.recent = remember(gate.recent, this.now())
    this.apply(frame)
  }
}

/**
 * Paces the page's ANNOUNCE frames under the rate and burst the bridge takes (its WELCOME says
 * them; past them it drops frames, bridge/api-gateway/announce-gate.ts). Without this, adding or
 * restoring 1,000 torrents, a reconnect, or the minute's stats refresh sent 1,000 frames at once:
 * the bridge took its burst of 600 and dropped the rest, the same ~400 each time, and a torrent
 * whose 'started' was dropped waited a minute for its first announce.
 *
 * One frame waits per torrent: a newer one replaces it (the newest stats and trackers), keeping the
 * stronger event (a stats refresh never hides an event). Events go before plain refreshes, each
 * kind in the order it came. The page's bucket is set a little under the bridge's (rate × 0.9,
 * half the burst): the bridge's bucket, started earlier and refilling faster, then always has a
 * token when the page's does, even when the network delivers frames bunched together.
 *
 * Pure: the caller says the time and keeps a timer for `waitMs`.
 *
 * Usage:
 *   const pacer = new AnnouncePacer<Req>(welcome.announceRate, welcome.announceBurst, now())
 *   pacer.offer(infoHash, 'started', req)
 *   for (const a of pacer.take(now())) send(a)
 *   setTimeout(flush, pacer.waitMs(now()))   // when waitMs >= 0
 */
import type { AnnounceEvent } from '../../protocol/bridge-frames'

/** Which event a merged frame keeps, as the bridge's tracker worker ranks them. */
const EVENT_RANK: Record<AnnounceEvent, number> = { none: 0, started: 1, completed: 2, stopped: 3 }
const RATE_SHARE = 0.9
const BURST_SHARE = 0.5

export interface PacedAnnounce<R> {
  infoHash: string
  event: AnnounceEvent
  request: R
  /** Send UNREGISTER for the torrent right after this frame (its 'stopped' goes first). */
  unregister: boolean
}

export class AnnouncePacer<R> {
  private readonly rate: number
  private readonly burst: number
  private tokens: number
  private last: number
  private readonly events = new Map<string, PacedAnnounce<R>>()
  private readonly refreshes = new Map<string, PacedAnnounce<R>>()

  constructor(bridgeRate: number, bridgeBurst: number, now: number) {
    this.rate = Math.max(0, bridgeRate * RATE_SHARE)
    this.burst = Math.max(1, Math.floor(bridgeBurst * BURST_SHARE))
    this.tokens = this.burst
    this.last = now
  }

  get pending(): number { return this.events.size + this.refreshes.size }

  has(infoHash: string): boolean { return this.events.has(infoHash) || this.refreshes.has(infoHash) }

  offer(infoHash: string, event: AnnounceEvent, request: R): void {
    const held = this.events.get(infoHash) ?? this.refreshes.get(infoHash)
    const merged: PacedAnnounce<R> = held
      ? { infoHash, event: EVENT_RANK[event] >= EVENT_RANK[held.event] ? event : held.event, request, unregister: held.unregister }
      : { infoHash, event, request, unregister: false }
    if (merged.event === 'none') {
      this.refreshes.set(infoHash, merged)
      return
    }
    this.refreshes.delete(infoHash)
    this.events.set(infoHash, merged)
  }

  /** Marks the torrent's waiting frame to be followed by UNREGISTER; false when none waits (unregister now). */
  unregisterAfter(infoHash: string): boolean {
    const held = this.events.get(infoHash) ?? this.refreshes.get(infoHash)
    if (!held) return false
    held.unregister = true
    return true
  }

  /** The torrent's waiting frame, taken out of turn (it is being registered again: its goodbye must go first). */
  takeOne(infoHash: string): PacedAnnounce<R> | undefined {
    const held = this.events.get(infoHash) ?? this.refreshes.get(infoHash)
    this.events.delete(infoHash)
    this.refreshes.delete(infoHash)
    if (held) this.spend(1)
    return held
  }

  /** The frames that may go now, in order. */
  take(now: number): PacedAnnounce<R>[] {
    this.refill(now)
    const out: PacedAnnounce<R>[] = []
    for (const queue of [this.events, this.refreshes]) {
      for (const [infoHash, a] of queue) {
        if (this.tokens < 1) return out
        this.tokens -= 1
        queue.delete(infoHash)
        out.push(a)
      }
    }
    return out
  }

  /** Milliseconds until the next frame may go; -1 when none waits. */
  waitMs(now: number): number {
    if (!this.pending) return -1
    this.refill(now)
    if (this.tokens >= 1) return 0
    if (this.rate <= 0) return -1
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000)
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate)
    this.last = Math.max(this.last, now)
  }

  private spend(n: number): void {
    this.tokens -= n
  }
}

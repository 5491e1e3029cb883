import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { TaskBudget } from '../../core/peer-discovery/task-budget'
import { yieldToPage } from '../download-manager/yield-to-page'
import { withWebSocketTrackerPrototype } from './websocket-tracker-prototype'

/** bittorrent-tracker's WebSocketTracker: its private offer maker (an RTCPeerConnection and a data channel per offer). */
interface OfferMaker {
  _generateOffers(count: number, done: (offers: unknown[]) => void): void
  destroyed?: boolean
}

/**
 * Milliseconds of offer making per task. The page's whole task should stay under 50 ms (issue 17),
 * and the offers share it with what else the task does (the tracker socket's other listeners).
 */
export const OFFER_BUDGET_MS = 8

/** The page's one budget for every torrent's offers: the burst is the page's, not one torrent's. */
const pageBudget = new TaskBudget(OFFER_BUDGET_MS, {
  now: () => performance.now(),
  nextTask: (fn) => void yieldToPage().then(fn),
  onError: (err) => queueMicrotask(() => { throw err }),
})
const patched = new WeakSet<object>()
let budget = pageBudget

/**
 * When the shared socket to a WebSocket tracker opens, bittorrent-tracker announces every torrent
 * waiting on it in that one task, and each announce makes its WebRTC offers synchronously (up to
 * 5 RTCPeerConnections): ~96 ms for 1,000 torrents after a reload (docs/BENCHMARKS.md, "Scale:
 * the page"). Its `_generateOffers` now goes through a TaskBudget: at once while the task has
 * spent under OFFER_BUDGET_MS on offers, else in the next tasks, in order; the announce is sent
 * when its offers are made, as before. A tracker destroyed meanwhile makes none (the original
 * would have been called before its destruction, and its peers destroyed with it). No public
 * API: webtorrent has no hook into its tracker client's announces.
 * `own` is for the tests: the budget every patched tracker uses from then on.
 */
export function paceTrackerOffers(torrent: Torrent, own?: TaskBudget): void {
  if (own) budget = own
  withWebSocketTrackerPrototype(torrent, (proto) => {
    const maker = proto as OfferMaker
    if (patched.has(proto) || typeof maker._generateOffers !== 'function') return
    patched.add(proto)
    const original = maker._generateOffers
    maker._generateOffers = function (this: OfferMaker, count, done) {
      budget.run(() => {
        if (!this.destroyed) original.call(this, count, done)
      })
    }
  })
}

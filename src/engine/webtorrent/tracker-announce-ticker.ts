import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'
import { TaskBudget } from '../../core/peer-discovery/task-budget'
import { ReannounceSchedule } from '../../core/tracker-communication/reannounce-schedule'
import { yieldToPage } from '../download-manager/yield-to-page'
import { withWebSocketTrackerPrototype } from './websocket-tracker-prototype'

/**
 * One page-wide timer for every WebSocket tracker's re-announces, instead of one interval per
 * tracker per torrent (issue 17).
 *
 * bittorrent-tracker 11 (in webtorrent 3.0.21's prebuilt module) gives each tracker, from the
 * torrent's start and again at every answer that carries an interval, its own timer:
 * `Tracker.prototype.setInterval(ms)` is `clearInterval(this.interval); this.interval =
 * setInterval(() => this.announce(this.client._defaultAnnounceOpts()), ms)`. With 1,000 torrents
 * at a 12 s interval that is ~83 timer tasks a second on the page's main thread: ~1,700 of 2,681
 * timer tasks in a 20 s window of the bench were re-announces. Same as the page-wide rechoke timer
 * (torrent-timers.ts) and PEX ticker (engine/peer-discovery/pex-ticker.ts): one 1 s ticker fires
 * every tracker that is due (core/tracker-communication/reannounce-schedule.ts), up to a tick late.
 *
 * Kept as bittorrent-tracker does it: the announce is the tracker's own `announce` with its
 * client's default options (it returns at once for a tracker destroyed or `reconnecting`, and waits
 * for 'connect' when its socket is still connecting); `setInterval()` with no argument is its
 * DEFAULT_ANNOUNCE_INTERVAL, with 0 clears it; `destroy` clears it (a socket's close or error
 * destroys the tracker, and its reconnect gets an interval again from the next answer, as there).
 * The first announce and the 'started', 'completed' and 'stopped' ones are not timer announces:
 * untouched. The announces due in one tick run through a TaskBudget (ANNOUNCE_BUDGET_MS a task),
 * so hundreds due at once spread over tasks; each one's WebRTC offers are paced on their own
 * (tracker-offers.ts).
 *
 * Only WebSocket trackers: the engine hands webtorrent no other kind (torrent-runner.ts keeps the
 * ws:// and wss:// URLs; the bridge announces to the HTTP and UDP ones).
 *
 * Needs: bittorrent-tracker's `WebSocketTracker.prototype.setInterval` (inherited from Tracker) and
 * `destroy`, a tracker's `interval`, `destroyed`, `announce`, `DEFAULT_ANNOUNCE_INTERVAL` and
 * `client._defaultAnnounceOpts`, reached through `torrent._startDiscovery` and
 * `torrent.discovery.tracker._trackers` (websocket-tracker-prototype.ts); test/unit/webtorrent-door.test.ts
 * checks them on the real package. No public API: the tracker client's only timer option is the interval.
 */

/** The ticker's period: the lateness an announce may have. */
export const ANNOUNCE_TICK_MS = 1000
/** Milliseconds of due announces per task (the page's task should stay under 50 ms, issue 17). */
export const ANNOUNCE_BUDGET_MS = 8

interface Reannouncer {
  setInterval(intervalMs?: number | null): void
  destroy(...args: unknown[]): unknown
  announce(opts: unknown): void
  client: { _defaultAnnounceOpts(opts?: unknown): unknown }
  interval: unknown
  destroyed: boolean
  DEFAULT_ANNOUNCE_INTERVAL?: number
}

export class AnnounceTicker {
  private readonly schedule = new ReannounceSchedule<Reannouncer>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly periodMs: number,
    private readonly budget: TaskBudget,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The tracker's setInterval(ms): due `ms` from now, then every `ms`; 0 clears it. */
  set(tracker: Reannouncer, intervalMs: number): void {
    this.schedule.set(tracker, intervalMs, this.now())
    if (this.schedule.has(tracker)) this.timer ??= setInterval(() => this.fire(), this.periodMs)
    else this.stopIfIdle()
  }

  delete(tracker: Reannouncer): void {
    this.schedule.delete(tracker)
    this.stopIfIdle()
  }

  has(tracker: object): boolean {
    return this.schedule.has(tracker as Reannouncer)
  }

  /** The tracker's interval here (ms), undefined when it has none. */
  intervalOf(tracker: object): number | undefined {
    return this.schedule.intervalOf(tracker as Reannouncer)
  }

  get size(): number {
    return this.schedule.size
  }

  /** Whether the timer runs: only while some tracker has an interval. */
  get running(): boolean {
    return this.timer !== undefined
  }

  /** One tick: every tracker due announces, as its own interval would have. Public for tests. */
  fire(): void {
    for (const tracker of this.schedule.takeDue(this.now())) {
      this.budget.run(() => {
        // destroyed meanwhile (its destroy left the schedule): the original's interval was cleared
        if (!tracker.destroyed) tracker.announce(tracker.client._defaultAnnounceOpts())
      })
    }
  }

  private stopIfIdle(): void {
    if (this.schedule.size > 0 || this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
  }
}

const pageTicker = new AnnounceTicker(ANNOUNCE_TICK_MS, new TaskBudget(ANNOUNCE_BUDGET_MS, {
  now: () => performance.now(),
  nextTask: (fn) => void yieldToPage().then(fn),
  onError: (err) => queueMicrotask(() => { throw err }),
}))
const patched = new WeakSet<object>()
let ticker = pageTicker

/** The ticker every patched tracker uses (for tests: the one last given to shareTrackerAnnounceTimer). */
export function announceTicker(): AnnounceTicker {
  return ticker
}

/**
 * Patches the torrent's WebSocketTracker prototype (once a page) so every tracker's interval is the
 * page ticker's. A tracker whose interval was set before the patch (the first torrent's: its
 * discovery starts, and its client calls setInterval(), before the prototype is reached) has its
 * own timer cleared and joins the ticker at DEFAULT_ANNOUNCE_INTERVAL, the interval that call gave
 * it; the next answer sets the tracker's own. `own` is for the tests: the ticker used from then on.
 */
export function shareTrackerAnnounceTimer(torrent: Torrent, own?: AnnounceTicker): void {
  if (own) ticker = own
  withWebSocketTrackerPrototype(torrent, (proto, tracker) => {
    const p = proto as Reannouncer
    if (typeof p.setInterval !== 'function' || typeof p.destroy !== 'function' || typeof p.announce !== 'function') return
    if (!patched.has(proto)) {
      patched.add(proto)
      const destroy = p.destroy
      p.setInterval = function (this: Reannouncer, intervalMs) {
        clearInterval(this.interval as ReturnType<typeof setInterval>)
        this.interval = null
        ticker.set(this, intervalMs ?? this.DEFAULT_ANNOUNCE_INTERVAL ?? 0)
      }
      p.destroy = function (this: Reannouncer, ...args: unknown[]) {
        ticker.delete(this)
        return destroy.apply(this, args)
      }
    }
    const t = tracker as Reannouncer
    if (t.interval != null && !t.destroyed) t.setInterval()
  })
}

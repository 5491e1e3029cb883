/**
 * When each WebSocket tracker of each torrent re-announces, for one page-wide ticker (issue 17).
 *
 * bittorrent-tracker gives every tracker of every torrent its own `setInterval` (Tracker.setInterval):
 * 1,000 torrents at a 12 s interval were ~83 timer tasks a second on the page's main thread, each a
 * task's overhead for one announce. Here each tracker only has a due time, and one ticker asks
 * `takeDue` which are due.
 *
 * The same times as bittorrent-tracker's interval: `set` is its `setInterval(ms)` (at the start and
 * at every answer that carries an interval), so the next announce is `ms` after it, then every `ms`.
 * A falsy interval (0) clears it, as there. Differences, all from the tick (the ticker's period):
 *   - an announce is up to one tick late;
 *   - an interval shorter than the tick fires once a tick (a tracker saying `interval: -1` gave
 *     bittorrent-tracker an announce every few ms);
 *   - a tracker found late by a whole interval or more (a throttled background page) announces once,
 *     not once for each period missed, as browsers' setInterval does.
 * Pure: the ticker keeps the clock and the timer (engine/webtorrent/tracker-announce-ticker.ts).
 */
interface Due {
  intervalMs: number
  dueAt: number
}

export class ReannounceSchedule<T> {
  private readonly entries = new Map<T, Due>()

  /**
   * `key`'s interval from `now` on, as setInterval(intervalMs) at `now`; 0 clears it. Not a finite
   * positive number (negative, NaN, Infinity: a browser's setInterval takes each as 0) is due every tick.
   */
  set(key: T, intervalMs: number, now: number): void {
    if (intervalMs === 0) {
      this.entries.delete(key)
      return
    }
    const ms = Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 0
    this.entries.set(key, { intervalMs: ms, dueAt: now + ms })
  }

  /** True if `key` had an interval. */
  delete(key: T): boolean {
    return this.entries.delete(key)
  }

  has(key: T): boolean {
    return this.entries.has(key)
  }

  intervalOf(key: T): number | undefined {
    return this.entries.get(key)?.intervalMs
  }

  get size(): number {
    return this.entries.size
  }

  /**
   * The keys due at `now`, the longest overdue first, each rescheduled one interval after the time
   * it was due (no drift from the tick), or after `now` when that is already past.
   */
  takeDue(now: number): T[] {
    const due: [T, number][] = []
    for (const [key, entry] of this.entries) {
      if (entry.dueAt > now) continue
      due.push([key, entry.dueAt])
      const next = entry.dueAt + entry.intervalMs
      entry.dueAt = next > now ? next : now + entry.intervalMs
    }
    due.sort((a, b) => a[1] - b[1])
    return due.map(([key]) => key)
  }
}

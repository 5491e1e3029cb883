/**
 * Messages a source sent that were dropped, counted by reason, with at most one warning per
 * interval: a hostile tracker that floods its socket with garbage gets one line in the page's log
 * a minute, saying how many, not one per message (nor, as bittorrent-tracker did, one per message
 * and torrent on the socket).
 */
export const DROP_WARNING_INTERVAL_MS = 60_000

export class DroppedMessages<Reason extends string> {
  /** Every drop since the start, by reason (for the tests and a diagnostics view). */
  readonly counts = new Map<Reason, number>()
  private sinceWarning = 0
  private lastWarningAt = -Infinity

  constructor(
    private readonly now: () => number,
    private readonly intervalMs = DROP_WARNING_INTERVAL_MS,
  ) {}

  get total(): number {
    let total = 0
    for (const n of this.counts.values()) total += n
    return total
  }

  /**
   * Counts one drop; returns the warning to show if one is due (the first drop, then the first
   * after each interval, saying how many were dropped without a word since the last one), else
   * `undefined`. A `quiet` drop is counted but never warned about (a late answer for a torrent
   * just removed is no fault of the source).
   */
  drop(reason: Reason, quiet = false): string | undefined {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1)
    if (quiet) return undefined
    this.sinceWarning++
    const at = this.now()
    if (at - this.lastWarningAt < this.intervalMs) return undefined
    const others = this.sinceWarning - 1
    this.sinceWarning = 0
    this.lastWarningAt = at
    return others > 0 ? `${reason} (and ${others} more dropped since the last warning)` : reason
  }
}

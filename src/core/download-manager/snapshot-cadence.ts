/**
 * How often the engine tells the UI of progress (and checks the queue's goals and stalls): once a
 * second, as qBittorrent's transfer list refreshes (1.5 s by default). It was four times a second;
 * with 50 of 1,000 torrents downloading each tick's snapshots and the list's render were ~2 % of
 * the page's main thread, for changes a person reads once a second anyway (speeds are webtorrent's
 * own averages, not differences between ticks). docs/SCALE-WORK.md, round s8.
 */
export const PROGRESS_TICK_MS = 1000

/**
 * Which torrents get a fresh snapshot at a tick of the engine (once a second). With 1,000
 * torrents listed and 50 downloading, taking 1,000 snapshots a tick to find 950 of them unchanged
 * was the tick's cost. A torrent's figures move on their own only while it is live (it runs and is
 * not complete, it has connections, it is starting or stopping); otherwise they move only when
 * something it is made of changes (its state, its run in webtorrent, its pieces, an error, its
 * place in the queue), which is cheap to compare. The rest are still taken again at a slow
 * cadence, spread over the ticks, for what neither catches (the bridge's counts of a torrent with
 * no wire, say).
 */

/** A torrent not live is taken again at least once in this many ticks (5 s). */
export const SLOW_SNAPSHOT_TICKS = 5000 / PROGRESS_TICK_MS

export interface SnapshotCadence {
  /** Its figures can move without anything else changing. */
  live: boolean
  /** What its snapshot is made of changed since the last one (sameItems). */
  changed: boolean
  /** Its place in the list: spreads the slow ones over the ticks. */
  slot: number
  /** The tick's number, counting up. */
  tick: number
  slowTicks?: number
}

/** Whether to take the torrent's snapshot again at this tick. */
export function snapshotDue({ live, changed, slot, tick, slowTicks = SLOW_SNAPSHOT_TICKS }: SnapshotCadence): boolean {
  if (live || changed) return true
  const period = Math.max(1, Math.floor(slowTicks))
  return (((tick + slot) % period) + period) % period === 0
}

/**
 * The same values at the same places (Object.is): what a snapshot was made of against what it is
 * made of now, or the list of snapshots last sent against this tick's (nothing for the UI to hear).
 */
export function sameItems(before: readonly unknown[] | undefined, now: readonly unknown[]): boolean {
  if (!before || before.length !== now.length) return false
  for (let i = 0; i < now.length; i++) if (!Object.is(before[i], now[i])) return false
  return true
}

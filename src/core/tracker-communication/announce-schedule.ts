/**
 * When the bridge talks to a tracker next, whatever the tracker says. A tracker's `interval` is
 * advice from a stranger: `interval -1` once gave hundreds of announces a second. So:
 *   - after an answer: its `interval` (30 min when it gives none), but never sooner than its
 *     `min interval` nor ANNOUNCE_FLOOR_S, and never later than ANNOUNCE_CEILING_S (a tracker
 *     that says "a year" would otherwise take the torrent's peers away for good);
 *   - after a failure: ANNOUNCE_FLOOR_S, doubling with each failure in a row, up to RETRY_CEILING_S;
 *   - an event (started, completed, stopped) goes out at once, as long as fewer than EVENT_BURST
 *     requests went to that tracker in the last EVENT_WINDOW_S: a torrent's life (started, then
 *     completed, then stopped) is never held up, and a page that starts and stops a torrent in a
 *     loop costs each tracker EVENT_BURST requests per EVENT_WINDOW_S.
 * Pure: each tracker's worker (bridge/tracker-communication/tracker-worker.ts) keeps the clock.
 */

export const ANNOUNCE_FLOOR_S = 60
export const ANNOUNCE_CEILING_S = 2 * 3600
export const DEFAULT_INTERVAL_S = 30 * 60
export const RETRY_CEILING_S = 30 * 60
export const EVENT_BURST = 3
export const EVENT_WINDOW_S = 30

/** Seconds until the next regular announce after an answer. */
export function nextAnnounceDelay(interval: number | null, minInterval: number | null): number {
  const floor = Math.max(ANNOUNCE_FLOOR_S, Math.min(minInterval ?? 0, ANNOUNCE_CEILING_S))
  return Math.min(Math.max(interval ?? DEFAULT_INTERVAL_S, floor), ANNOUNCE_CEILING_S)
}

/** Seconds until a retry after `failures` failures in a row (1 for the first). */
export function retryDelay(failures: number): number {
  const n = Math.max(1, Math.min(failures, 16))
  return Math.min(ANNOUNCE_FLOOR_S * 2 ** (n - 1), RETRY_CEILING_S)
}

/** Milliseconds an event waits, given when the latest requests went out (oldest first; more than EVENT_BURST are ignored). */
export function eventWait(nowMs: number, recentMs: readonly number[]): number {
  if (recentMs.length < EVENT_BURST) return 0
  const oldest = recentMs[recentMs.length - EVENT_BURST]!
  return Math.max(0, oldest + EVENT_WINDOW_S * 1000 - nowMs)
}

/** `recentMs` with `nowMs` added, keeping only what eventWait looks at. */
export function remember(recentMs: readonly number[], nowMs: number): number[] {
  return [...recentMs, nowMs].slice(-EVENT_BURST)
}

/**
 * Time left, withheld until it means something. A download speed (each wire's meter, summed) is
 * the bytes of the last SPEED_WINDOW_MS over that whole window, so for the first seconds of a run it reads a fraction of
 * the real speed: divided by it at once, the first tiny figure promised "5 d 6 h left" for a
 * download that took a minute. So: no estimate until bytes have flowed for ETA_WARMUP_MS (and,
 * while the window is not yet full, ETA_WARMUP_BYTES); then, while the run is younger than the
 * window, the run's own average speed; after it, the meters' (which follow changes). A resumed
 * or restarted download starts a new run, and so does one that got nothing for a whole window.
 */
export const ETA_WARMUP_MS = 2000
export const ETA_WARMUP_BYTES = 256 * 1024
/** The speed meters' window (the `throughput` package's default, which bittorrent-protocol uses). */
export const SPEED_WINDOW_MS = 5000

/** Where the current run of downloading began: when bytes started to flow, and the count then. */
export interface EtaStart {
  at: number
  downloaded: number
  /** Bytes have come since `at`: the start is fixed from then on. */
  flowing: boolean
  /** When `downloaded` last grew, and to what. */
  lastAt: number
  lastDownloaded: number
}

/**
 * The run to keep for the next tick: none unless downloading. Until the first bytes come its
 * start moves along with the ticks (a run begins when bytes flow, not while peers are still being
 * found); from then on it stays through ticks that bring nothing (a slow peer's blocks are seconds
 * apart), until a whole speed window brings nothing: the speed then starts over from zero, and so
 * does the run.
 */
export function etaStartStep(start: EtaStart | undefined, downloading: boolean, downloaded: number, now: number): EtaStart | undefined {
  if (!downloading) return undefined
  const fresh = { at: now, downloaded, flowing: false, lastAt: now, lastDownloaded: downloaded }
  // none yet, or downloaded went backwards (a piece failed its hash, a recheck): (re)start here
  if (!start || downloaded < start.lastDownloaded) return fresh
  if (downloaded > start.lastDownloaded) return { ...start, flowing: true, lastAt: now, lastDownloaded: downloaded }
  if (!start.flowing || now - start.lastAt >= SPEED_WINDOW_MS) return fresh
  return start
}

/**
 * Seconds left for `remaining` bytes: Infinity while unknown (no run, no speed, or still warming
 * up; the UI says "estimating…" when bytes flow and there is no estimate yet).
 */
export function estimateEta(remaining: number, speed: number, start: EtaStart | undefined, downloaded: number, now: number): number {
  if (remaining <= 0) return 0
  if (!start) return Infinity
  const elapsed = now - start.at
  const got = downloaded - start.downloaded
  if (!start.flowing || elapsed < ETA_WARMUP_MS || (elapsed < SPEED_WINDOW_MS && got < ETA_WARMUP_BYTES)) return Infinity
  const rate = elapsed < SPEED_WINDOW_MS ? got / (elapsed / 1000) : speed
  return rate > 0 ? remaining / rate : Infinity
}

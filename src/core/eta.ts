/**
 * Time left, withheld until it means something. webtorrent's speed is the bytes of the last
 * SPEED_WINDOW_MS over that whole window, so for the first seconds of a run it reads a fraction of
 * the real speed: divided by it at once, the first tiny figure promised "5 d 6 h left" for a
 * download that took a minute. So: no estimate until bytes have flowed for ETA_WARMUP_MS and
 * ETA_WARMUP_BYTES; then, while the run is younger than the window, the run's own average speed;
 * after it, webtorrent's (which follows changes). A resumed or restarted download starts a new run.
 */
export const ETA_WARMUP_MS = 2000
export const ETA_WARMUP_BYTES = 256 * 1024
/** webtorrent's speed window (the `throughput` package's default). */
export const SPEED_WINDOW_MS = 5000

/** Where the current run of downloading began: when bytes started to flow, and the count then. */
export interface EtaStart {
  at: number
  downloaded: number
  /** Bytes have come since `at`: the start is fixed from then on. */
  flowing: boolean
}

/**
 * The run to keep for the next tick: none unless downloading. Until the first bytes come its
 * start moves along with the ticks (a run begins when bytes flow, not while peers are still being
 * found); from then on it stays, through ticks that bring nothing (a slow peer's blocks are far apart).
 */
export function etaStartStep(start: EtaStart | undefined, downloading: boolean, downloaded: number, now: number): EtaStart | undefined {
  if (!downloading) return undefined
  // none yet, or downloaded went backwards (a piece failed its hash, a recheck): (re)start here
  if (!start || downloaded < start.downloaded) return { at: now, downloaded, flowing: false }
  if (start.flowing) return start
  return downloaded > start.downloaded ? { ...start, flowing: true } : { at: now, downloaded, flowing: false }
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
  if (elapsed < ETA_WARMUP_MS || got < ETA_WARMUP_BYTES) return Infinity
  const rate = elapsed < SPEED_WINDOW_MS ? got / (elapsed / 1000) : speed
  return rate > 0 ? remaining / rate : Infinity
}

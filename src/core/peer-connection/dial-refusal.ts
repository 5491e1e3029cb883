/**
 * Why a dial through the bridge ended before it opened, as the page's peer service must read it:
 * the peer's fault (it refused, timed out, spoke no BitTorrent) or the bridge's own caps (its dial
 * rate, its stream caps, its buffers). Only the first is held against the peer. Counting the
 * bridge's caps as the peer's failures backed the only seeder of a torrent off for minutes, then
 * forgot it (five failures), when 50 torrents started at once and their dials exceeded the
 * bridge's 20 a second: those torrents stalled with no peer (docs/BENCHMARKS.md, "Scale: the page").
 */
import { CloseCode } from '../../protocol/bridge-frames'

/** A dial that may go again soon, not counted against the peer: the bridge was at one of its caps. */
export function isBridgeBusy(code: CloseCode | null): boolean {
  return code === CloseCode.RateLimited || code === CloseCode.TooManyStreams || code === CloseCode.Overloaded
}

/**
 * When to try a dial the bridge refused as busy: after about a second (its dial rate refills 20
 * tokens a second by default), spread by `random` in [0, 1) so that the refused ones do not all
 * come back in the same instant.
 */
export function busyRetryDelayMs(random: number): number {
  return 1000 + Math.floor(random * 1000)
}

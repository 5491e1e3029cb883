import type { Torrent } from 'webtorrent/dist/webtorrent.min.js'

/**
 * webtorrent's two per-torrent intervals, made to cost nothing for a torrent that has no use for them.
 *
 * webtorrent 3.0.21 gives every torrent, from its parsing to its destruction, a rechoke interval
 * (`_rechokeIntervalId`, `_rechoke()` every 10 s) and, once its discovery starts, a "no peers"
 * interval (`_noPeersIntervalId`, every 30 s: counts its peers by source and emits `noPeers`). A
 * page of 1,000 torrents ran 2,000 timers, 130 tasks a second, nearly all for torrents seeding with
 * no wire (docs/BENCHMARKS.md, "Scale: the page"). No option turns either off.
 *
 * - Rechoke: the torrent's own interval is cleared and one page-wide timer, at webtorrent's period,
 *   calls `_rechoke()` of each torrent that has a wire, or an optimistic unchoke still held (it
 *   expires by rechoke rounds). With neither, `_rechoke()` only counts down a slot that is empty:
 *   skipping it changes nothing.
 * - No peers: cleared when nothing listens to `noPeers` (the engine does not: its stall checks
 *   count peers themselves, core/download-manager/stall.ts). A listener added later would hear nothing.
 *
 * Needs: `_onParsedTorrent` and `_startDiscovery` called as methods (so a wrapper on the instance
 * runs), `_rechokeIntervalId`, `_noPeersIntervalId`, `_rechoke`, `_rechokeOptimisticWire`, `wires`,
 * `destroyed` and the 'close' event its destroy emits (test/unit/webtorrent-door.test.ts checks them
 * on the real package). webtorrent's
 * own destroy clears both ids, which are null here: clearInterval(null) does nothing.
 */

/** webtorrent's RECHOKE_INTERVAL. */
export const RECHOKE_MS = 10_000

interface TimerInternals {
  _onParsedTorrent(parsed: unknown): void
  _startDiscovery(): void
  _rechokeIntervalId: ReturnType<typeof setInterval> | null
  _noPeersIntervalId: ReturnType<typeof setInterval> | null
  _rechoke(): void
  _rechokeOptimisticWire: unknown
  wires: readonly unknown[]
  destroyed: boolean
  listenerCount(event: string): number
  once(event: 'close', listener: () => void): unknown
}

export interface RechokeTimer {
  start(fn: () => void, ms: number): unknown
  stop(handle: unknown): void
}

const realTimer: RechokeTimer = {
  start: (fn, ms) => setInterval(fn, ms),
  stop: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
}

/** One timer for every torrent's rechoke; it runs only while some torrent is registered. */
export class RechokeRounds {
  private readonly torrents = new Set<TimerInternals>()
  private handle: unknown

  constructor(private readonly timer: RechokeTimer = realTimer, private readonly onError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err })) {}

  add(torrent: TimerInternals): void {
    this.torrents.add(torrent)
    this.handle ??= this.timer.start(() => this.round(), RECHOKE_MS)
  }

  /**
   * At the torrent's destroy (its 'close'), not at the next round: a destroyed torrent still holds
   * its pieces' downloaded blocks, its wires and its store. Held here up to a round (10 s) after a
   * pause, 50 paused torrents kept ~100 MiB alive into the page's next major collection
   * (test/bench/pause-heap-diff.ts).
   */
  delete(torrent: TimerInternals): void {
    this.torrents.delete(torrent)
    if (this.torrents.size === 0 && this.handle !== undefined) {
      this.timer.stop(this.handle)
      this.handle = undefined
    }
  }

  get size(): number {
    return this.torrents.size
  }

  get running(): boolean {
    return this.handle !== undefined
  }

  /** One rechoke round: each torrent's, as its own interval would have run it. Public for tests. */
  round(): void {
    for (const torrent of this.torrents) {
      if (torrent.destroyed) {
        this.torrents.delete(torrent)
        continue
      }
      if (torrent.wires.length === 0 && torrent._rechokeOptimisticWire == null) continue
      // each torrent had a timer of its own: one throwing must not stop the others' rechoke
      try {
        torrent._rechoke()
      } catch (err) {
        this.onError(err)
      }
    }
    if (this.torrents.size === 0 && this.handle !== undefined) {
      this.timer.stop(this.handle)
      this.handle = undefined
    }
  }
}

const pageRounds = new RechokeRounds()

function hasTimers(torrent: object): torrent is TimerInternals {
  const t = torrent as Partial<TimerInternals>
  return typeof t._onParsedTorrent === 'function' && typeof t._startDiscovery === 'function' && typeof t._rechoke === 'function'
}

/**
 * On `torrent` just returned by `client.add` (its parsing runs after a microtask). False when
 * webtorrent's methods are not there (its own timers then run, as before). `rounds` is for tests.
 */
export function shareTorrentTimers(torrent: Torrent | object, rounds: RechokeRounds = pageRounds): boolean {
  if (!hasTimers(torrent)) return false
  const t = torrent
  const parsed = t._onParsedTorrent.bind(t)
  t._onParsedTorrent = (p) => {
    parsed(p)
    if (t._rechokeIntervalId === null || t._rechokeIntervalId === undefined || t.destroyed) return
    clearInterval(t._rechokeIntervalId)
    t._rechokeIntervalId = null
    rounds.add(t)
    t.once('close', () => rounds.delete(t))
  }
  const discovery = t._startDiscovery.bind(t)
  t._startDiscovery = () => {
    discovery()
    if (t._noPeersIntervalId === null || t._noPeersIntervalId === undefined || t.listenerCount('noPeers') > 0) return
    clearInterval(t._noPeersIntervalId)
    t._noPeersIntervalId = null
  }
  return true
}

/**
 * The page's one PEX timer: every torrent's PexSwarm with something to send joins it, and each
 * tick runs the swarms' ticks in turn. A swarm once had an interval of its own (1 s), so 50
 * downloading torrents were 50 timer tasks a second on the main thread, each a task's overhead for
 * a check that is nearly always "nothing due" (issue 17); now one task a second does them all.
 * The same as the page-wide rechoke timer (engine/webtorrent/torrent-timers.ts). The timer runs
 * only while some swarm is joined.
 */
export class PexTicker {
  private readonly members = new Set<() => void>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly periodMs: number, private readonly onError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err })) {}

  join(tick: () => void): void {
    this.members.add(tick)
    this.timer ??= setInterval(() => this.fire(), this.periodMs)
  }

  leave(tick: () => void): void {
    this.members.delete(tick)
    if (this.members.size || this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
  }

  has(tick: () => void): boolean {
    return this.members.has(tick)
  }

  /** Whether the timer runs (for tests). */
  get running(): boolean {
    return this.timer !== undefined
  }

  /** One tick of every joined swarm; public for tests. */
  fire(): void {
    // a copy: a swarm leaves during its own tick when it has nothing left to send
    for (const tick of [...this.members]) {
      // each swarm had a timer of its own: one throwing must not stop the others'
      try {
        tick()
      } catch (err) {
        this.onError(err)
      }
    }
  }
}

const tickers = new Map<number, PexTicker>()

/** The page's ticker for a period (every swarm uses the default 1 s, so one in practice). */
export function pageTicker(periodMs: number): PexTicker {
  let ticker = tickers.get(periodMs)
  if (!ticker) tickers.set(periodMs, (ticker = new PexTicker(periodMs)))
  return ticker
}

/**
 * Runs jobs at once while the current task has spent less than `budgetMs` on them, and moves the
 * rest to later tasks, `budgetMs` of them per task, in the order they came (issue 17: no task over
 * 50 ms). Made for webtorrent's WebSocket tracker client: when its shared socket to a tracker
 * opens, every torrent waiting on it announces in that one task, and each announce makes its WebRTC
 * offers (RTCPeerConnections) synchronously: ~100 ms with 1,000 torrents. A job never waits while
 * the task has budget left, so a lone announce is not delayed.
 *
 * Our own, not a scheduling library: what is needed is a dozen lines over the clock and the
 * page's "next task" (both given, so the tests drive them).
 */
export interface TaskBudgetClock {
  now(): number
  /** Runs `fn` in a later task (the page: a message or `scheduler.yield`, not a clamped timer). */
  nextTask(fn: () => void): void
  /** A job threw: reported, and the queue goes on. */
  onError(err: unknown): void
}

export class TaskBudget {
  private readonly waiting: (() => void)[] = []
  /** When the current task's first job ran; undefined between tasks. */
  private slice: { start: number } | undefined
  private draining = false

  constructor(private readonly budgetMs: number, private readonly clock: TaskBudgetClock) {}

  /** Runs `job` now if this task has budget left and nothing waits before it, else in a later task. */
  run(job: () => void): void {
    if (this.waiting.length === 0 && this.inBudget(this.openSlice())) return this.runOne(job)
    this.waiting.push(job)
    this.scheduleDrain()
  }

  /** Jobs waiting for a later task. */
  get pending(): number {
    return this.waiting.length
  }

  private inBudget(slice: { start: number }): boolean {
    return this.clock.now() - slice.start < this.budgetMs
  }

  /** The current task's slice; a new one ends when the next task begins. */
  private openSlice(): { start: number } {
    if (this.slice) return this.slice
    const slice = { start: this.clock.now() }
    this.slice = slice
    this.clock.nextTask(() => {
      if (this.slice === slice) this.slice = undefined
    })
    return slice
  }

  private scheduleDrain(): void {
    if (this.draining) return
    this.draining = true
    this.clock.nextTask(() => this.drain())
  }

  private drain(): void {
    this.draining = false
    // this task is a new one: its budget is whole, whatever an earlier slice spent
    this.slice = undefined
    const slice = this.openSlice()
    do this.runOne(this.waiting.shift()!)
    while (this.waiting.length > 0 && this.inBudget(slice))
    if (this.waiting.length > 0) this.scheduleDrain()
  }

  private runOne(job: () => void): void {
    try {
      job()
    } catch (err) {
      this.clock.onError(err)
    }
  }
}

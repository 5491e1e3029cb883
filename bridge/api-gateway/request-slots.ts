/**
 * Tracker requests for one page and for the whole bridge: how many may be in flight at once, and
 * how many may start per second. A page with a thousand torrents, or one that keeps changing their
 * tracker lists, waits its turn instead of opening a thousand sockets or sending a thousand
 * requests a second. A request holds a slot of its page's and one of the bridge's; a waiter that
 * gives up (its tracker was dropped, its page went) leaves the line at once, so a page's churn
 * cannot leave a queue behind for the pages after it.
 */
export class RequestSlots {
  private used = 0
  private readonly waiting: { resolve: () => void; reject: (err: Error) => void }[] = []
  /** Generic cell rate: the time the next request would be due at the sustained rate. */
  private due = 0
  private readonly interval: number
  private readonly tolerance: number

  constructor(
    private readonly max: number,
    private readonly parent: RequestSlots | null = null,
    /** Requests per second and the burst above it (Infinity: no rate). */
    ratePerSecond = Infinity,
    burst = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.interval = 1000 / ratePerSecond
    this.tolerance = this.interval * Math.max(0, burst - 1)
  }

  /**
   * Resolves with the slot's release once one is free here and in the parent, and the rates
   * allow; rejects if `signal` aborts first (nothing is held then).
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError()
    if (this.used >= this.max) await this.wait(signal)
    else this.used++
    let releaseParent: (() => void) | null = null
    try {
      releaseParent = this.parent ? await this.parent.acquire(signal) : null
      await sleep(this.reserve(), signal)
      if (this.parent) await sleep(this.parent.reserve(), signal)
    } catch (err) {
      releaseParent?.()
      this.release()
      throw err
    }
    let released = false
    return () => {
      if (released) return
      released = true
      releaseParent?.()
      this.release()
    }
  }

  /** A slot now, or null: for work that is not worth waiting for (a goodbye to a tracker). */
  tryAcquire(): (() => void) | null {
    if (this.used >= this.max) return null
    const parent = this.parent ? this.parent.tryAcquire() : null
    if (this.parent && !parent) return null
    this.used++
    let released = false
    return () => {
      if (released) return
      released = true
      parent?.()
      this.release()
    }
  }

  get inUse(): number {
    return this.used
  }

  /** Milliseconds until a request may start at the rate, the request counted. */
  private reserve(): number {
    if (!Number.isFinite(this.interval) || this.interval === 0) return 0
    const t = this.now()
    const start = Math.max(t, this.due - this.tolerance)
    this.due = Math.max(this.due, start) + this.interval
    return start - t
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        reject,
      }
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter)
        if (i >= 0) this.waiting.splice(i, 1)
        reject(abortError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
    })
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next.resolve() // the slot passes straight on: `used` stays
    else this.used--
  }
}

function abortError(): Error {
  return new Error('stopped')
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

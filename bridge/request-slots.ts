/**
 * Tracker requests in flight at once, for one page and for the whole bridge: a page with a
 * thousand torrents, or one that keeps changing their tracker lists, waits its turn instead of
 * opening a thousand sockets. A request holds a slot of its page's and one of the bridge's.
 */
export class RequestSlots {
  private used = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly max: number, private readonly parent: RequestSlots | null = null) {}

  /** Resolves with the slot's release once one is free here (and in the parent). */
  async acquire(): Promise<() => void> {
    if (this.used >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.used++
    let releaseParent: (() => void) | null = null
    try {
      releaseParent = this.parent ? await this.parent.acquire() : null
    } catch (err) {
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

  get inUse(): number {
    return this.used
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next() // the slot passes straight on: `used` stays
    else this.used--
  }
}

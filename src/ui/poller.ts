import type { ReactiveController, ReactiveElement } from 'lit'

/**
 * Asks again every `everyMs` while its element is in the page, and stops when it leaves: the poll
 * lifecycle of the live lists (polled-list.ts) and of the bridge's figures (bt-bridge-metrics.ts).
 * `poll` handles its own errors (the next poll asks again); it returns false to stop polling.
 */
export class Poller implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly host: ReactiveElement, private readonly everyMs: number, private readonly poll: () => Promise<boolean | void>) {
    host.addController(this)
  }

  hostConnected(): void {
    void this.refresh()
  }

  hostDisconnected(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private async refresh(): Promise<void> {
    clearTimeout(this.timer)
    if ((await this.poll()) === false) return
    if (this.host.isConnected) this.timer = setTimeout(() => void this.refresh(), this.everyMs)
  }
}

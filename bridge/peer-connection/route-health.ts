/**
 * Whether the bridge's way out works: the proxy takes connections and the outgoing interface has
 * an address. Set from every connection made (and from probes while it is down), and told to the
 * pages when it changes, so that "the proxy is down: nothing connects" is said once, in the app,
 * not only in each failed connection's reason.
 */
import type { RouteState } from '../../src/protocol/bridge-frames'

export class RouteHealth {
  state: RouteState = 'unknown'
  /** Why it is down; '' otherwise. */
  message = ''
  /** Down for a reason a probe can see mended (nothing answers, no address), not a refused login. */
  probeMends = false
  private readonly listeners = new Set<() => void>()

  up(): void {
    this.set('up', '', false)
  }

  down(reason: string, probeMends = true): void {
    this.set('down', reason, probeMends)
  }

  /** Calls `fn` after each change; returns the way to stop. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  clear(): void {
    this.listeners.clear()
  }

  private set(state: RouteState, message: string, probeMends: boolean): void {
    this.probeMends = probeMends
    if (state === this.state && message === this.message) return
    this.state = state
    this.message = message
    for (const fn of [...this.listeners]) fn()
  }
}

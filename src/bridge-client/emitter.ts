/** A minimal typed event emitter that runs in every realm (the page has no `node:events`). */
type AnyListener = (...args: unknown[]) => void

export class Emitter<Events extends Record<string, unknown[]>> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>()

  on<K extends keyof Events>(event: K, fn: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(fn as unknown as AnyListener)
    return () => this.off(event, fn)
  }

  off<K extends keyof Events>(event: K, fn: (...args: Events[K]) => void): void {
    this.listeners.get(event)?.delete(fn as unknown as AnyListener)
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        fn(...args)
      } catch (err) {
        // one broken listener must not stop the others (nor the bridge client's frame loop)
        queueMicrotask(() => { throw err })
      }
    }
  }
}

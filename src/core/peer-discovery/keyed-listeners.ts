/**
 * The listeners of one shared message source, each under one key: a message for a key goes to
 * that key's listeners only, any other message to all of them, in the order they joined. Made for
 * bittorrent-tracker's WebSocket socket, shared by every torrent announcing to one tracker URL:
 * the key is a torrent's info-hash, and an announce message names the one torrent it is for, so
 * its delivery is O(1) instead of one call per torrent on the socket (issue 17).
 *
 * Our own: a Map of Sets with a reverse index; no library does this and the rest of the router
 * (what a message is, how it is delivered) is webtorrent's door's.
 */
export class KeyedListeners<T> {
  private readonly byKey = new Map<string, Set<T>>()
  /** Every listener and its key, in the order they joined. */
  private readonly keyOf = new Map<T, string>()

  get size(): number {
    return this.keyOf.size
  }

  has(listener: T): boolean {
    return this.keyOf.has(listener)
  }

  /** Adds `listener` under `key` (moving it there if it was under another). */
  add(listener: T, key: string): void {
    if (this.keyOf.get(listener) === key) return
    this.delete(listener)
    this.keyOf.set(listener, key)
    const set = this.byKey.get(key)
    if (set) set.add(listener)
    else this.byKey.set(key, new Set([listener]))
  }

  /** Removes `listener`; false if it was not here. A key left without listeners is forgotten. */
  delete(listener: T): boolean {
    const key = this.keyOf.get(listener)
    if (key === undefined) return false
    this.keyOf.delete(listener)
    const set = this.byKey.get(key)
    set?.delete(listener)
    if (set?.size === 0) this.byKey.delete(key)
    return true
  }

  /**
   * The listeners under `key`, as a copy: one leaving or joining while they are called changes
   * the next message's delivery, not this one's (as an event emitter's emit).
   */
  of(key: string): T[] {
    const set = this.byKey.get(key)
    return set ? [...set] : []
  }

  /** Every listener, as a copy, in the order they joined. */
  all(): T[] {
    return [...this.keyOf.keys()]
  }

  /** How many keys have listeners (for the tests and leak checks). */
  get keys(): number {
    return this.byKey.size
  }
}

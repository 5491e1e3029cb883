/**
 * Snapshots that carry only what changed. The engine takes a snapshot of every torrent four times
 * a second; with 1,000 torrents, most of them seeding or paused, nearly all are the same as the
 * last. A snapshot equal to the last one is replaced by the last one itself, so the UI (Lit skips
 * an element whose properties are the same objects) and other tabs (which get only the changed
 * ones) do no work for it.
 */

type Plain = Record<string, unknown>

function isPlainObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Equal fields; nested plain objects (peer sources, an error, a queue place) compared a level down; arrays only by identity. */
export function sameSnapshot<T extends object>(a: T, b: T): boolean {
  if (a === b) return true
  const keysA = Object.keys(a)
  if (keysA.length !== Object.keys(b).length) return false
  for (const key of keysA) {
    const x = (a as Plain)[key]
    const y = (b as Plain)[key]
    if (Object.is(x, y)) continue
    if (!isPlainObject(x) || !isPlainObject(y)) return false
    const inner = Object.keys(x)
    if (inner.length !== Object.keys(y).length || inner.some((k) => !Object.is(x[k], y[k]))) return false
  }
  return true
}

/** `next` unless it equals `previous`, in which case `previous` itself. */
export function keepIfSame<T extends object>(previous: T | undefined, next: T): T {
  return previous !== undefined && sameSnapshot(previous, next) ? previous : next
}

/** The items of `next` (a new list) whose objects are new or differ from those of the list before. */
export interface ListDelta<T> {
  changed: T[]
  /** Every key, in order, when the keys or their order differ from the list before; absent otherwise. */
  order?: string[]
}

/** What changed since `sent` (updated to `list`); compares by identity, so keep unchanged objects (keepIfSame). */
export function listDelta<T>(sent: Map<string, T>, list: readonly T[], keyOf: (item: T) => string): ListDelta<T> {
  const changed: T[] = []
  let reordered = sent.size !== list.length
  let at = 0
  for (const key of sent.keys()) {
    if (reordered) break
    if (keyOf(list[at++]!) !== key) reordered = true
  }
  for (const item of list) if (sent.get(keyOf(item)) !== item) changed.push(item)
  if (reordered) {
    sent.clear()
    for (const item of list) sent.set(keyOf(item), item)
    return { changed, order: list.map(keyOf) }
  }
  for (const item of changed) sent.set(keyOf(item), item)
  return { changed }
}

/** The other side: `held` (by key, in order) after a delta; returns the whole list. */
export function applyDelta<T>(held: Map<string, T>, delta: ListDelta<T>, keyOf: (item: T) => string): T[] {
  const byKey = new Map(held)
  for (const item of delta.changed) byKey.set(keyOf(item), item)
  if (delta.order) {
    held.clear()
    for (const key of delta.order) {
      const item = byKey.get(key)
      if (item !== undefined) held.set(key, item)
    }
  } else {
    for (const item of delta.changed) held.set(keyOf(item), item)
  }
  return [...held.values()]
}

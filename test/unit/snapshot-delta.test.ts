import { describe, expect, it } from 'vitest'
import { applyDelta, keepIfSame, listDelta, sameSnapshot } from '../../src/core/download-manager/snapshot-delta'

interface Row { id: string; done: number; sources: { tcp: number }; files: number[] }
const row = (id: string, done = 0, tcp = 0, files: number[] = []): Row => ({ id, done, sources: { tcp }, files })
const key = (r: Row) => r.id

describe('sameSnapshot and keepIfSame', () => {
  it('keeps the previous object when every field is equal, nested objects a level down', () => {
    const files: number[] = []
    const before = row('a', 1, 2, files)
    expect(keepIfSame(before, row('a', 1, 2, files))).toBe(before)
  })

  it('takes the new one when a field or a nested field changed', () => {
    const files: number[] = []
    const before = row('a', 1, 2, files)
    expect(keepIfSame(before, row('a', 2, 2, files))).not.toBe(before)
    expect(keepIfSame(before, row('a', 1, 3, files))).not.toBe(before)
  })

  it('compares arrays by identity only: a new file list is a change', () => {
    expect(sameSnapshot(row('a', 0, 0, [1]), row('a', 0, 0, [1]))).toBe(false)
  })

  it('sees a field that appeared or went', () => {
    expect(sameSnapshot<object>({ a: 1 }, { a: 1, b: undefined })).toBe(false)
    expect(sameSnapshot<object>({ e: { code: 'X' } }, { e: { code: 'X', detail: 'y' } })).toBe(false)
  })

  it('takes the new one when there is none before', () => {
    const next = row('a')
    expect(keepIfSame(undefined, next)).toBe(next)
  })
})

describe('listDelta and applyDelta', () => {
  it('sends the whole list and its order first, then only what changed, and the other side rebuilds the list', () => {
    const sent = new Map<string, Row>()
    const held = new Map<string, Row>()
    const a = row('a')
    const b = row('b')
    const first = listDelta(sent, [a, b], key)
    expect(first).toEqual({ changed: [a, b], order: ['a', 'b'] })
    expect(applyDelta(held, first, key)).toEqual([a, b])

    const b2 = row('b', 5)
    const second = listDelta(sent, [a, b2], key)
    expect(second).toEqual({ changed: [b2] })
    expect(applyDelta(held, second, key)).toEqual([a, b2])

    expect(listDelta(sent, [a, b2], key)).toEqual({ changed: [] })
  })

  it('sends the order when a torrent is added, removed or moved, and the other side follows it', () => {
    const sent = new Map<string, Row>()
    const held = new Map<string, Row>()
    const [a, b, c] = [row('a'), row('b'), row('c')]
    applyDelta(held, listDelta(sent, [a, b], key), key)

    const added = listDelta(sent, [a, b, c], key)
    expect(added).toEqual({ changed: [c], order: ['a', 'b', 'c'] })
    expect(applyDelta(held, added, key)).toEqual([a, b, c])

    const moved = listDelta(sent, [c, a, b], key)
    expect(moved).toEqual({ changed: [], order: ['c', 'a', 'b'] })
    expect(applyDelta(held, moved, key)).toEqual([c, a, b])

    const removed = listDelta(sent, [c, b], key)
    expect(removed).toEqual({ changed: [], order: ['c', 'b'] })
    expect(applyDelta(held, removed, key)).toEqual([c, b])
  })

  it('drops a key in the order that the other side never got', () => {
    const held = new Map<string, Row>()
    const a = row('a')
    expect(applyDelta(held, { changed: [a], order: ['a', 'ghost'] }, key)).toEqual([a])
  })
})

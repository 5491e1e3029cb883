import { describe, expect, it } from 'vitest'
import { KeyedListeners } from '../../src/core/peer-discovery/keyed-listeners'

describe('KeyedListeners: a shared source\'s listeners by key', () => {
  it('a key\'s listeners only are named for it; all of them in the order they joined', () => {
    const l = new KeyedListeners<string>()
    l.add('a1', 'A')
    l.add('b1', 'B')
    l.add('a2', 'A')
    expect(l.of('A')).toEqual(['a1', 'a2'])
    expect(l.of('B')).toEqual(['b1'])
    expect(l.of('C')).toEqual([])
    expect(l.all()).toEqual(['a1', 'b1', 'a2'])
    expect(l.size).toBe(3)
  })

  it('a listener that leaves is named nowhere, and an empty key is forgotten (no leak as torrents come and go)', () => {
    const l = new KeyedListeners<object>()
    const made: object[] = []
    for (let i = 0; i < 100; i++) {
      const t = {}
      made.push(t)
      l.add(t, `k${i}`)
    }
    for (const t of made) expect(l.delete(t)).toBe(true)
    expect(l.delete(made[0]!)).toBe(false)
    expect([l.size, l.keys, l.all().length, l.of('k0').length]).toEqual([0, 0, 0, 0])
  })

  it('joining twice is one membership; joining under another key moves it', () => {
    const l = new KeyedListeners<string>()
    l.add('x', 'A')
    l.add('x', 'A')
    expect(l.of('A')).toEqual(['x'])
    l.add('x', 'B')
    expect([l.of('A'), l.of('B'), l.size, l.keys]).toEqual([[], ['x'], 1, 1])
  })

  it('what it hands out is a copy: a listener leaving while they are called does not change that call\'s list', () => {
    const l = new KeyedListeners<string>()
    l.add('a', 'A')
    l.add('b', 'A')
    const now = l.of('A')
    l.delete('b')
    expect(now).toEqual(['a', 'b'])
    expect(l.has('b')).toBe(false)
  })
})

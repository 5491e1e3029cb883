import { describe, expect, it } from 'vitest'
import { sameItems, SLOW_SNAPSHOT_TICKS, snapshotDue } from '../../src/core/download-manager/snapshot-cadence'

/** The ticks, of `ticks` in a row from `from`, at which a torrent in `slot` is due. */
function dueTicks(facts: { live?: boolean; changed?: boolean; slot: number; slowTicks?: number }, ticks: number, from = 0): number[] {
  const due: number[] = []
  for (let tick = from; tick < from + ticks; tick++) {
    if (snapshotDue({ live: false, changed: false, ...facts, tick })) due.push(tick)
  }
  return due
}

describe('snapshotDue', () => {
  it('takes a live torrent at every tick', () => {
    expect(dueTicks({ live: true, slot: 3 }, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('takes a torrent whose inputs changed at once, whatever its slot', () => {
    for (let tick = 0; tick < SLOW_SNAPSHOT_TICKS; tick++) expect(snapshotDue({ live: false, changed: true, slot: 7, tick })).toBe(true)
  })

  it('takes a quiet torrent once per slow period', () => {
    expect(dueTicks({ slot: 0, slowTicks: 4 }, 12)).toEqual([0, 4, 8])
    expect(dueTicks({ slot: 1, slowTicks: 4 }, 12)).toEqual([3, 7, 11])
    expect(dueTicks({ slot: 5 }, 3 * SLOW_SNAPSHOT_TICKS)).toHaveLength(3)
  })

  it('spreads the quiet ones over the ticks: a tick takes about count / period of them', () => {
    const count = 1000
    const perTick = Array.from({ length: SLOW_SNAPSHOT_TICKS * 2 }, (_, tick) => {
      let due = 0
      for (let slot = 0; slot < count; slot++) if (snapshotDue({ live: false, changed: false, slot, tick })) due++
      return due
    })
    for (const due of perTick) expect(due).toBe(count / SLOW_SNAPSHOT_TICKS)
  })

  it('treats a period under one tick as every tick, and works with large tick numbers', () => {
    expect(dueTicks({ slot: 9, slowTicks: 0 }, 3)).toEqual([0, 1, 2])
    expect(dueTicks({ slot: 2, slowTicks: 4 }, 4, 2 ** 40)).toHaveLength(1)
  })
})

describe('sameItems', () => {
  const a = { id: 'a' }
  it('is true for the same values at the same places', () => {
    expect(sameItems([a, 1, undefined, 'x'], [a, 1, undefined, 'x'])).toBe(true)
    expect(sameItems([Number.NaN], [Number.NaN])).toBe(true)
  })

  it('is false for an equal object that is another object, another order, another length, or nothing before', () => {
    expect(sameItems([a], [{ id: 'a' }])).toBe(false)
    expect(sameItems([a, 1], [1, a])).toBe(false)
    expect(sameItems([a], [a, a])).toBe(false)
    expect(sameItems(undefined, [])).toBe(false)
  })
})

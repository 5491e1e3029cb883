import { describe, expect, it } from 'vitest'
import {
  MAX_SPEED_LIMIT, bucketPlan, checkedLimits, kibPerSecondText, limitsOf, parseKiBPerSecond, wholeRate,
} from '../../src/core/download-manager/speed-limits'
import { AppError } from '../../src/protocol/errors'

describe('per-torrent speed limits under the global one', () => {
  it('lets bytes pass untouched when neither limit is set', () => {
    expect(bucketPlan(0, 0)).toBeNull()
    expect(bucketPlan(-5, Number.NaN)).toBeNull()
  })

  it('a torrent limit alone: its own bucket, not under the global one', () => {
    expect(bucketPlan(512 * 1024, 0)).toEqual({ rate: 512 * 1024, sliceBytes: 52428, underGlobal: false })
  })

  it('no torrent limit under a global one: a bucket as large as the global one (limiter skips the parent of an empty bucket)', () => {
    expect(bucketPlan(0, 1024 * 1024)).toEqual({ rate: 1024 * 1024, sliceBytes: 104857, underGlobal: true })
  })

  it('both: the torrent bucket under the global one; a slice fits the smaller of the two', () => {
    expect(bucketPlan(2_000_000, 100_000)).toEqual({ rate: 2_000_000, sliceBytes: 10_000, underGlobal: true })
    expect(bucketPlan(100_000, 2_000_000)).toEqual({ rate: 100_000, sliceBytes: 10_000, underGlobal: true })
  })

  it('a slice never exceeds either bucket, down to 1 B/s (a bigger one fails the peer stream)', () => {
    for (const [own, global] of [[1, 0], [0, 1], [1, 1], [3, 10 ** 9], [10 ** 9, 7], [MAX_SPEED_LIMIT, 1]]) {
      const plan = bucketPlan(own!, global!)!
      expect(plan.sliceBytes).toBeGreaterThanOrEqual(1)
      expect(plan.sliceBytes).toBeLessThanOrEqual(plan.rate)
      if (global) expect(plan.sliceBytes).toBeLessThanOrEqual(wholeRate(global))
      expect(Number.isInteger(plan.rate) && Number.isInteger(plan.sliceBytes)).toBe(true)
    }
  })

  it('rates are whole bytes per second, at least 1 when set, at most 1 TiB/s', () => {
    expect(wholeRate(102.4)).toBe(102)
    expect(wholeRate(0.3)).toBe(1)
    expect(wholeRate(Infinity)).toBe(0)
    expect(wholeRate(1e30)).toBe(MAX_SPEED_LIMIT)
  })

  it('records saved before limits existed have none', () => {
    expect(limitsOf({})).toEqual({ downloadLimit: 0, uploadLimit: 0 })
    expect(limitsOf({ downloadLimit: 1024 })).toEqual({ downloadLimit: 1024, uploadLimit: 0 })
  })

  it('checks limits sent by another tab: only the fields given, whole numbers, errors a user can act on', () => {
    expect(checkedLimits({ uploadLimit: 2048.4 })).toEqual({ uploadLimit: 2048 })
    expect(checkedLimits({ downloadLimit: 0, uploadLimit: 10 })).toEqual({ downloadLimit: 0, uploadLimit: 10 })
    for (const bad of [-1, Number.NaN, Infinity, '5' as unknown as number, MAX_SPEED_LIMIT + 1]) {
      expect(() => checkedLimits({ downloadLimit: bad })).toThrow(AppError)
    }
  })

  it('reads KiB/s as typed: empty or 0 is no limit; negative or not a number is refused', () => {
    expect(parseKiBPerSecond('')).toBe(0)
    expect(parseKiBPerSecond('  0 ')).toBe(0)
    expect(parseKiBPerSecond('512')).toBe(512 * 1024)
    expect(parseKiBPerSecond('1.5')).toBe(1536)
    expect(parseKiBPerSecond('-3')).toBeNull()
    expect(parseKiBPerSecond('fast')).toBeNull()
    expect(parseKiBPerSecond('1e300')).toBeNull()
  })

  it('shows a limit in KiB/s, empty for none, and reads back what it shows', () => {
    expect(kibPerSecondText(0)).toBe('')
    expect(kibPerSecondText(512 * 1024)).toBe('512')
    expect(kibPerSecondText(1536)).toBe('1.5')
    for (const text of ['1', '300', '1.5', '4096']) expect(kibPerSecondText(parseKiBPerSecond(text)!)).toBe(text)
  })
})
